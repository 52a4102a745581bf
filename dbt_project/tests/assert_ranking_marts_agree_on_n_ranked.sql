{#- One n_ranked definition (contract section 4, macros/ranking.sql): for a period reported on
    the current boundaries both ranking marts see the same reports, so they must give every
    province the same n_ranked, rank and rank_label. Rows returned are disagreements. -#}
with by_period as (

    select statistical_year, months, measure, province_code, n_ranked, rank, rank_label
    from {{ ref('fct_province_ranking') }}
    where boundary = {{ var('current_boundary') }}

),

current_boundaries as (

    select statistical_year, months, measure, province_code, n_ranked, rank, rank_label
    from {{ ref('fct_province_ranking_current_boundaries') }}
    where source_boundary = {{ var('current_boundary') }}

)

select
    coalesce(by_period.statistical_year, current_boundaries.statistical_year) as statistical_year,
    coalesce(by_period.months, current_boundaries.months) as months,
    coalesce(by_period.measure, current_boundaries.measure) as measure,
    coalesce(by_period.province_code, current_boundaries.province_code) as province_code,
    by_period.n_ranked as n_ranked_by_period,
    current_boundaries.n_ranked as n_ranked_current_boundaries,
    by_period.rank_label as rank_label_by_period,
    current_boundaries.rank_label as rank_label_current_boundaries
from by_period
full outer join current_boundaries
    using (statistical_year, months, measure, province_code)
where by_period.n_ranked is distinct from current_boundaries.n_ranked
    or by_period.rank is distinct from current_boundaries.rank
    or by_period.rank_label is distinct from current_boundaries.rank_label

{#- The ranking table of contract section 4 (the names are an interface): one row per
    (statistical year, months, measure, province of the period's boundary set) for every
    period with at least one accepted report. Provinces are ranked by rate_pct among those
    with a rate; a province without a report, or with zero `with_conditions`, has no rate and
    no rank. rank, n_ranked and rank_label come from rank_provinces (macros/ranking.sql), the
    one ranking definition shared with fct_province_ranking_current_boundaries, and the
    columns from ranking_columns. -#}
with figures as (

    select * from {{ ref('int_province_figures') }}

),

provinces as (

    select province_key, province_code, boundary, province_name from {{ ref('dim_province') }}

),

targets as (

    select * from {{ ref('int_province_targets') }}

),

approvals as (

    select * from {{ ref('int_approval_state') }}

),

periods as (

    select distinct statistical_year, months, boundary from figures

),

grid as (

    select
        periods.statistical_year,
        periods.months,
        measures.measure,
        periods.boundary,
        provinces.province_key,
        provinces.province_code,
        provinces.province_name
    from periods
    cross join (select unnest(['cases', 'money']) as measure) as measures
    inner join provinces on periods.boundary = provinces.boundary

),

joined as (

    select
        grid.*,
        figures.submission_id,
        figures.submission_id is not null as has_report,
        figures.completed,
        figures.terminated,
        figures.with_conditions,
        {{ rate_pct('figures.completed', 'figures.terminated', 'figures.with_conditions') }}
            as rate_pct,
        {{ measure_target_pct('grid.measure', 'targets') }} as target_pct
    from grid
    left join figures
        on grid.statistical_year = figures.statistical_year
        and grid.months = figures.months
        and grid.measure = figures.measure
        and grid.province_key = figures.province_key
    left join targets
        on grid.statistical_year = targets.statistical_year
        and grid.boundary = targets.boundary
        and grid.province_code = targets.province_code

),

ranked as (

    {{ rank_provinces('joined') }}

)

select
    {{ ranking_columns('boundary', ['submission_id']) }},
    -- Contract section 7: final while the province's latest decision is an approval.
    case when coalesce(approvals.is_final, false) then 'final' else 'preliminary' end
        as figure_status,
    approvals.approved_at
from ranked
left join approvals using (statistical_year, months, province_code)

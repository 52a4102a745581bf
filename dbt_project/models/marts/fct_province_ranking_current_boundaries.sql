{#- History re-ranked among the 34 CURRENT provinces, so 2019-2025 trends are comparable after
    the merger: same columns as fct_province_ranking, province_code = current code,
    n_expected = 34. Before the merger a current province's figures are the sum of its legacy
    parts; the sum counts as the province's report (has_report, n_ranked) and is ranked only
    when every part reported (is_complete). Ranking: rank_provinces (macros/ranking.sql), as
    fct_province_ranking. Targets were set per legacy province before the merger, so target
    columns are null for those periods. -#}
with figures as (

    select * from {{ ref('int_province_figures_current_boundaries') }}

),

provinces as (

    select province_key, province_code, province_name
    from {{ ref('dim_province') }}
    where boundary = {{ var('current_boundary') }}

),

targets as (

    select * from {{ ref('int_province_targets') }}
    where boundary = {{ var('current_boundary') }}

),

periods as (

    select distinct statistical_year, months, source_boundary from figures

),

grid as (

    select
        periods.statistical_year,
        periods.months,
        periods.source_boundary,
        measures.measure,
        provinces.province_key,
        provinces.province_code,
        provinces.province_name
    from periods
    cross join (select unnest(['cases', 'money']) as measure) as measures
    cross join provinces

),

joined as (

    select
        grid.*,
        figures.n_parts_reported,
        figures.n_parts_expected,
        figures.legacy_codes,
        coalesce(figures.is_complete, false) as is_complete,
        -- A rolled-up figure is this province's accepted report only when every part reported.
        coalesce(figures.is_complete, false) as has_report,
        figures.completed,
        figures.terminated,
        figures.with_conditions,
        case
            when figures.is_complete
                then {{ rate_pct('figures.completed', 'figures.terminated', 'figures.with_conditions') }}
        end as rate_pct,
        case
            when grid.source_boundary = {{ var('current_boundary') }} then
                {{ measure_target_pct('grid.measure', 'targets') }}
        end as target_pct
    from grid
    left join figures
        on grid.statistical_year = figures.statistical_year
        and grid.months = figures.months
        and grid.measure = figures.measure
        and grid.province_code = figures.province_code
    left join targets
        on grid.statistical_year = targets.statistical_year
        and grid.province_code = targets.province_code

),

ranked as (

    {{ rank_provinces('joined') }}

)

select
    {{ ranking_columns(var('current_boundary'), [
        'source_boundary', 'n_parts_reported', 'n_parts_expected', 'legacy_codes', 'is_complete',
    ]) }}
from ranked

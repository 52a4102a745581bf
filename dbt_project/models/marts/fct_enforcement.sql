{#- One row per (statistical year, months, measure, province) with every figure of the
    province's standing report, the rate, the carried-to-next-year figure and the change vs
    the same period of the previous year. For a period reported by the 34 current provinces
    whose same period last year was reported by the 63, last year is the complete roll-up of
    the legacy provinces into the current one. -#}
with figures as (

    select * from {{ ref('int_province_figures') }}

),

current_boundaries as (

    select * from {{ ref('int_province_figures_current_boundaries') }}

),

provinces as (

    select province_key, province_name from {{ ref('dim_province') }}

),

periods as (

    select period_key, period_end from {{ ref('dim_period') }}

),

last_year as (

    -- same boundary set: the same code
    select
        statistical_year + 1 as statistical_year,
        months,
        measure,
        boundary,
        province_code,
        with_conditions,
        rate_pct
    from figures

    union all

    -- 34-province period whose previous year was still reported by the 63
    select
        statistical_year + 1 as statistical_year,
        months,
        measure,
        {{ var('current_boundary') }} as boundary,
        province_code,
        with_conditions,
        {{ rate_pct('completed', 'terminated', 'with_conditions') }} as rate_pct
    from current_boundaries
    where source_boundary = {{ var('legacy_boundary') }}
        and is_complete

)

select
    figures.period_key,
    figures.province_key,
    figures.statistical_year,
    figures.months,
    figures.measure,
    figures.province_code,
    figures.boundary,
    periods.period_end,
    provinces.province_name,
    figures.submission_id,
    {{ report_figures('figures') }},
    last_year.rate_pct as rate_pct_last_year,
    figures.rate_pct - last_year.rate_pct as rate_change_pp,
    last_year.with_conditions as with_conditions_last_year
from figures
left join provinces on figures.province_key = provinces.province_key
left join periods on figures.period_key = periods.period_key
left join last_year
    on figures.statistical_year = last_year.statistical_year
    and figures.months = last_year.months
    and figures.measure = last_year.measure
    and figures.boundary = last_year.boundary
    and figures.province_code = last_year.province_code

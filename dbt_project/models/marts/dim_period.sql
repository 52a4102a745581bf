{#- Every cumulative period (statistical year x 1..12 months) from the first year (or the
    earliest report) through the merger year (or the latest report). Statistical year Y runs
    from 1/10/Y-1 to 30/9/Y; the 1-month report ends 31/10/Y-1. -#}
with bounds as (

    select
        least({{ var('first_year') }}, coalesce(min(statistical_year), {{ var('first_year') }}))
            as first_year,
        greatest({{ var('merger_year') }}, coalesce(max(statistical_year), {{ var('merger_year') }}))
            as last_year
    from {{ ref('stg_raw__report_rows') }}

),

years as (

    select unnest(generate_series(first_year, last_year)) as statistical_year
    from bounds

),

periods as (

    select
        cast(years.statistical_year as integer) as statistical_year,
        cast(months.months as integer) as months,
        make_date(cast(years.statistical_year as integer) - 1, 10, 1) as period_start
    from years
    cross join (select unnest(generate_series(1, 12)) as months) as months

),

dated as (

    select
        statistical_year,
        months,
        period_start,
        last_day(period_start + to_months(months - 1)) as period_end
    from periods

)

select
    {{ period_key('dated.statistical_year', 'dated.months') }} as period_key,
    dated.statistical_year,
    dated.months,
    dated.period_start,
    dated.period_end,
    {{ boundary_for('dated.statistical_year', 'dated.months') }} as boundary,
    {{ boundary_for('dated.statistical_year', 'dated.months') }} as n_expected,
    -- The end of the 4th working day after the close (contract 6.1), computed once in
    -- thads.reporting_calendar and given to dbt as a generated source (THADS_HOME/reference).
    calendar.deadline_day as report_deadline,
    calendar.deadline as report_deadline_at
from dated
left join {{ ref('stg_reference__reporting_calendar') }} as calendar
    on dated.statistical_year = calendar.statistical_year
    and dated.months = calendar.months

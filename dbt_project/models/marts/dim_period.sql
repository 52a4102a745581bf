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
    {{ period_key('statistical_year', 'months') }} as period_key,
    statistical_year,
    months,
    period_start,
    period_end,
    {{ boundary_for('statistical_year', 'months') }} as boundary,
    {{ boundary_for('statistical_year', 'months') }} as n_expected,
    -- Provinces report within 4 working days after the period closes (Mon-Fri; public
    -- holidays are not modelled). isodow: 1 = Monday ... 7 = Sunday.
    cast(period_end + case isodow(period_end)
        when 1 then 4  -- Mon -> Fri
        when 6 then 5  -- Sat -> Thu
        when 7 then 4  -- Sun -> Thu
        else 6         -- Tue..Fri -> Mon..Thu of the next week
    end as date) as report_deadline
from dated

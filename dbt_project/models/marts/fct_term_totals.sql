{#- Contract 6.4, a term as province leaders report it, on current boundaries: from
    statistical year F to T-MM, the 12-month reports of every complete year F..T-1 plus the
    cumulative MM-month report of year T, summed; the rate is computed on the sums (seed 000:
    "Giai đoạn 2021 đến hết tháng 02/2024" = from 2021 to 2024-05). One row per possible term
    (province, measure, F, T, MM) whose last report is in the warehouse; `is_complete` tells
    whether every report of the term is there and complete. `thads summary` reads it. -#}
with figures as (

    {{ complete_current_figures() }}

),

terms as (

    select
        starts.from_year,
        last_report.statistical_year as to_year,
        last_report.months as to_months,
        last_report.measure,
        last_report.province_code
    from (
        -- any year with a report can start a term, complete or not (to say what is missing)
        select distinct statistical_year as from_year
        from {{ ref('int_province_figures_current_boundaries') }}
    ) as starts
    inner join figures as last_report on last_report.statistical_year >= starts.from_year

),

parts as (

    select terms.*, figures.statistical_year, figures.months, figures.must_enforce,
        figures.with_conditions, figures.completed, figures.terminated
    from terms
    inner join figures
        on figures.province_code = terms.province_code
        and figures.measure = terms.measure
        and (
            (figures.statistical_year between terms.from_year and terms.to_year - 1
                and figures.months = 12)
            or (figures.statistical_year = terms.to_year and figures.months = terms.to_months)
        )

),

summed as (

    select
        from_year,
        to_year,
        to_months,
        measure,
        province_code,
        count(*) as n_reports,
        to_year - from_year + 1 as n_reports_expected,
        string_agg(
            {{ period_key('statistical_year', 'months') }}, ',' order by statistical_year
        ) as reports_included,
        sum(must_enforce) as must_enforce,
        sum(with_conditions) as with_conditions,
        sum(completed) as completed,
        sum(terminated) as terminated
    from parts
    group by from_year, to_year, to_months, measure, province_code

)

select
    summed.province_code,
    provinces.province_name,
    summed.measure,
    summed.from_year,
    summed.to_year,
    summed.to_months,
    make_date(summed.from_year - 1, 10, 1) as term_start,
    calendar.period_closes as term_end,
    summed.n_reports,
    summed.n_reports_expected,
    summed.n_reports = summed.n_reports_expected as is_complete,
    summed.reports_included,
    summed.must_enforce,
    summed.with_conditions,
    summed.completed,
    summed.terminated,
    summed.completed + summed.terminated as done,
    {{ rate_pct('summed.completed', 'summed.terminated', 'summed.with_conditions') }} as rate_pct
from summed
left join {{ ref('dim_province') }} as provinces
    on provinces.province_code = summed.province_code
    and provinces.boundary = {{ var('current_boundary') }}
left join {{ ref('stg_reference__reporting_calendar') }} as calendar
    on calendar.statistical_year = summed.to_year
    and calendar.months = summed.to_months

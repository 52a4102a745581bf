{#- Contract 6.4, a term as province leaders report it, on current boundaries: from
    statistical year F (or month MM of it, F-MM) to T-MM, the 12-month reports of every
    complete year F..T-1 plus the cumulative MM-month report of year T, summed; the rate is
    computed on the sums (seed 000: "Giai đoạn 2021 đến hết tháng 02/2024" = from 2021 to
    2024-05).

    A term that starts in month MM > 1 of year F (a leader who took office mid-year) cannot
    take a report of its own for that part of F: reports are cumulative from October. It
    takes F's report (the 12-month one, or T-MM's when F = T) less what F's (MM-1)-month report
    had already finished before the term began (`report_before_term`):
      completed, terminated: less those of the (MM-1)-month report (flows add up);
      with_conditions, must_enforce: less its done (completed + terminated). A cumulative
        report counts among the cases with conditions those finished since October plus those
        still open with conditions; the cases finished before the term are not the term's.
    One row per possible term (province, measure, F, from_months, T, to_months) whose last
    report is in the warehouse; `is_complete` tells whether every report of the term is
    there and complete. `thads summary` reads it. -#}
with figures as (

    {{ complete_current_figures() }}

),

starts as (

    -- any year with a report can start a term (complete or not, to say what is missing), at
    -- its first month or the month after any cumulative report the warehouse holds
    select distinct statistical_year as from_year, 1 as from_months
    from {{ ref('int_province_figures_current_boundaries') }}
    union
    select distinct statistical_year as from_year, months + 1 as from_months
    from {{ ref('int_province_figures_current_boundaries') }}
    where months < 12

),

terms as (

    select
        starts.from_year,
        starts.from_months,
        last_report.statistical_year as to_year,
        last_report.months as to_months,
        last_report.measure,
        last_report.province_code
    from starts
    inner join figures as last_report
        on last_report.statistical_year > starts.from_year
        or (
            last_report.statistical_year = starts.from_year
            and last_report.months >= starts.from_months
        )

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
        from_months,
        to_year,
        to_months,
        measure,
        province_code,
        count(*) as n_reports,
        string_agg(
            {{ period_key('statistical_year', 'months') }}, ',' order by statistical_year
        ) as reports_included,
        sum(must_enforce) as must_enforce,
        sum(with_conditions) as with_conditions,
        sum(completed) as completed,
        sum(terminated) as terminated
    from parts
    group by all

),

term as (

    -- a term from month MM > 1 leaves out what F's (MM-1)-month report had finished
    select
        summed.* replace (
            summed.n_reports + case when before_term.months is not null then 1 else 0 end
                as n_reports,
            summed.must_enforce - coalesce(before_term.completed + before_term.terminated, 0)
                as must_enforce,
            summed.with_conditions
                - coalesce(before_term.completed + before_term.terminated, 0)
                as with_conditions,
            summed.completed - coalesce(before_term.completed, 0) as completed,
            summed.terminated - coalesce(before_term.terminated, 0) as terminated
        ),
        summed.to_year - summed.from_year + 1
            + case when summed.from_months > 1 then 1 else 0 end as n_reports_expected,
        case
            when summed.from_months > 1
                then {{ period_key('summed.from_year', 'summed.from_months - 1') }}
        end as report_before_term
    from summed
    left join figures as before_term
        on before_term.province_code = summed.province_code
        and before_term.measure = summed.measure
        and before_term.statistical_year = summed.from_year
        and before_term.months = summed.from_months - 1

)

select
    term.province_code,
    provinces.province_name,
    term.measure,
    term.from_year,
    term.from_months,
    term.to_year,
    term.to_months,
    cast(
        make_date(term.from_year - 1, 10, 1) + to_months(term.from_months - 1) as date
    ) as term_start,
    calendar.period_closes as term_end,
    term.n_reports,
    term.n_reports_expected,
    term.n_reports = term.n_reports_expected as is_complete,
    term.reports_included,
    term.report_before_term,
    term.must_enforce,
    term.with_conditions,
    term.completed,
    term.terminated,
    term.completed + term.terminated as done,
    {{ rate_pct('term.completed', 'term.terminated', 'term.with_conditions') }} as rate_pct
from term
left join {{ ref('dim_province') }} as provinces
    on provinces.province_code = term.province_code
    and provinces.boundary = {{ var('current_boundary') }}
left join {{ ref('stg_reference__reporting_calendar') }} as calendar
    on calendar.statistical_year = term.to_year
    and calendar.months = term.to_months

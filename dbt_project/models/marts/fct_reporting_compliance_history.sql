{#- Contract 6.1 over time: for every province expected in a period, its reporting status
    as a step function of the moment it is judged, one row per stretch [valid_from,
    valid_to) with one status. The status can only change when the first file arrives,
    when the first accepted version arrives, and just after the deadline; the rule itself
    is the macro reporting_status. fct_reporting_compliance is this table at the build's
    moment; the deadline DAG reads it at the moment of its run, so a backfilled run judges
    by what had arrived by then.

    Periods: those any file arrived for, and every period of the statistical years the
    registry has seen that closed before the judged moment (so a period nobody reported
    for still shows every province missing). -#}
with calendar as (

    select * from {{ ref('stg_reference__reporting_calendar') }}

),

arrivals as (

    select * from {{ ref('int_reporting_arrivals') }}

),

provinces as (

    select province_code, boundary, province_name
    from {{ ref('dim_province') }}

),

years_seen as (

    select min(statistical_year) as first_year, max(statistical_year) as last_year
    from arrivals

),

periods as (

    select calendar.*, entered.period_entered_at
    from calendar
    cross join years_seen
    left join (
        select distinct statistical_year, months, period_entered_at from arrivals
    ) as entered using (statistical_year, months)
    where entered.period_entered_at is not null
        or (
            calendar.statistical_year between years_seen.first_year
                and greatest(
                    years_seen.last_year,
                    year(cast({{ compliance_judged_at() }} as date)) + 1
                )
            and calendar.period_closes < cast({{ compliance_judged_at() }} as date)
        )

),

expected as (

    select
        periods.statistical_year,
        periods.months,
        provinces.province_code,
        provinces.province_name,
        periods.boundary,
        periods.period_closes,
        periods.deadline_day,
        periods.deadline,
        periods.period_entered_at,
        arrivals.first_arrival_at,
        arrivals.accepted_arrival_at
    from periods
    inner join provinces on provinces.boundary = periods.boundary
    left join arrivals
        on arrivals.statistical_year = periods.statistical_year
        and arrivals.months = periods.months
        and arrivals.province_code = provinces.province_code

),

change_points as (

    select distinct expected.*, point.moment as valid_from
    from expected
    cross join lateral (
        select unnest([
            cast('-infinity' as timestamptz),
            expected.deadline + interval 1 microsecond,
            expected.first_arrival_at,
            expected.accepted_arrival_at
        ]) as moment
    ) as point
    where point.moment is not null

),

judged as (

    select
        *,
        {{ reporting_status('first_arrival_at', 'accepted_arrival_at', 'deadline', 'valid_from') }}
            as status
    from change_points

),

status_changes as (

    select *
    from judged
    qualify status is distinct from lag(status) over (
        partition by statistical_year, months, province_code order by valid_from
    )

),

late_days as (

    -- For a late report: working days after the deadline's day up to and including the
    -- day it arrived (Vietnam time), at least 1.
    select
        expected.statistical_year,
        expected.months,
        expected.province_code,
        greatest(1, count(days.calendar_day)) as working_days_late
    from expected
    left join {{ ref('stg_reference__calendar_days') }} as days
        on days.is_working_day
        and days.calendar_day > expected.deadline_day
        and days.calendar_day
            <= cast(timezone('Asia/Ho_Chi_Minh', expected.accepted_arrival_at) as date)
    where expected.accepted_arrival_at > expected.deadline
    group by expected.statistical_year, expected.months, expected.province_code

)

select
    status_changes.statistical_year,
    status_changes.months,
    status_changes.province_code,
    status_changes.province_name,
    status_changes.boundary,
    status_changes.period_closes,
    status_changes.deadline,
    status_changes.period_entered_at,
    status_changes.first_arrival_at,
    status_changes.accepted_arrival_at,
    status_changes.status,
    case when status_changes.status = 'late' then late_days.working_days_late end
        as working_days_late,
    status_changes.valid_from,
    coalesce(
        lead(status_changes.valid_from) over (
            partition by
                status_changes.statistical_year,
                status_changes.months,
                status_changes.province_code
            order by status_changes.valid_from
        ),
        cast('infinity' as timestamptz)
    ) as valid_to
from status_changes
left join late_days using (statistical_year, months, province_code)

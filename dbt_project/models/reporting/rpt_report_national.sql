{#- The national figures of the HTML report, per (period, measure); `is_trend_point` marks
    the point of the yearly trend chart: the year's 12-month report, or the latest cumulative
    report of a year still running. -#}
select
    period_key,
    statistical_year,
    months,
    measure,
    rate_pct,
    national_target_pct as target_pct,
    gap_pp,
    coalesce(n_provinces_reported, 0) as n_reported,
    coalesce(n_expected, 0) as n_expected,
    coalesce(completed, 0) + coalesce(terminated, 0) as done,
    coalesce(with_conditions, 0) as with_conditions,
    months = max(months) over (partition by statistical_year, measure) as is_trend_point
from {{ ref('fct_national_summary') }}

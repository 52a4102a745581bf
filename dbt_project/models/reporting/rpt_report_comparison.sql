{#- The report's comparison with the same period last year (contract 6.3, issue 15 item 6):
    fct_province_comparison as printed, one row per (period, measure, current province), in
    print order (`display_order`: the largest rise in the rate first; no comparison last).
    On current (34) boundaries for every period, also those ranked on 63: last year's figure
    before the 2025 merger is the old provinces' sum. The Vietnamese wording ("tăng 267
    việc, tương ứng 7%") is thads/publish/report/fmt.py's. -#}
select
    comparison.period_key,
    comparison.statistical_year,
    comparison.months,
    comparison.measure,
    comparison.province_code,
    coalesce(provinces.short_name, comparison.province_name, comparison.province_code)
        as short_name,
    comparison.done,
    comparison.done_prev,
    comparison.done_change,
    comparison.done_change_pct,
    comparison.rate_pct,
    comparison.rate_pct_prev,
    comparison.rate_change_pp,
    comparison.with_conditions_share_pct,
    cast(row_number() over (
        partition by comparison.statistical_year, comparison.months, comparison.measure
        order by comparison.rate_change_pp desc nulls last, comparison.province_code
    ) as integer) as display_order
from {{ ref('fct_province_comparison') }} as comparison
left join {{ ref('dim_province') }} as provinces
    on provinces.boundary = {{ var('current_boundary') }}
    and provinces.province_code = comparison.province_code

{#- Per-province trends of the HTML report in both views of the 2025 merger (issue 15 item
    6): `view_boundary` 34, the current provinces with their history summed from the old
    ones (fct_province_ranking_current_boundaries: a rate only when every old part
    reported), and `view_boundary` 63, the old provinces up to their last report (the
    8-month report of 2025, fct_province_ranking on legacy boundaries). One point per (view,
    statistical year): the year's 12-month report, or the latest cumulative report the view
    has of that year (`months`). Every province of the view has a row per point, reported
    or not (rate null), in print order (`display_order`: by code). -#}
with both_views as (

    select
        {{ var('current_boundary') }} as view_boundary,
        statistical_year, months, measure, province_code, rate_pct
    from {{ ref('fct_province_ranking_current_boundaries') }}

    union all

    select
        {{ var('legacy_boundary') }} as view_boundary,
        statistical_year, months, measure, province_code, rate_pct
    from {{ ref('fct_province_ranking') }}
    where boundary = {{ var('legacy_boundary') }}

),

points as (

    select
        *,
        months = max(months) over (partition by view_boundary, statistical_year)
            as is_trend_point
    from both_views

)

select
    points.view_boundary,
    points.statistical_year,
    points.months,
    points.measure,
    points.province_code,
    coalesce(provinces.short_name, provinces.province_name, points.province_code)
        as short_name,
    points.rate_pct,
    cast(dense_rank() over (
        partition by points.view_boundary order by points.province_code
    ) as integer) as display_order
from points
left join {{ ref('dim_province') }} as provinces
    on provinces.boundary = points.view_boundary
    and provinces.province_code = points.province_code
where points.is_trend_point

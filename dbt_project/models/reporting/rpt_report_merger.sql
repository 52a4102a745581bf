{#- The 2025 merger table of the HTML report: each current province with the short names of
    the legacy provinces it was formed from (one name: unchanged). -#}
with provinces as (

    select * from {{ ref('dim_province') }}

)

select
    current_provinces.province_code,
    current_provinces.province_name,
    coalesce(
        list(legacy.short_name order by legacy.province_code)
            filter (where legacy.province_code is not null),
        cast([] as varchar[])
    ) as legacy_short_names
from provinces as current_provinces
left join provinces as legacy
    on legacy.boundary = {{ var('legacy_boundary') }}
    and legacy.current_province_code = current_provinces.province_code
where current_provinces.boundary = {{ var('current_boundary') }}
group by all
order by current_provinces.province_code

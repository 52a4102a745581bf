{#- Both boundary sets: the 63 legacy provinces (valid until 30/6/2025) and the 34 current ones
    (from 1/7/2025), each with the current province it belongs to. -#}
with provinces as (

    select * from {{ ref('stg_reference__provinces') }}

),

mappings as (

    select * from {{ ref('stg_reference__province_mappings') }}

),

current_provinces as (

    select province_code, province_name
    from provinces
    where boundary = {{ var('current_boundary') }}

)

select
    {{ province_key('provinces.boundary', 'provinces.province_code') }} as province_key,
    provinces.province_code,
    provinces.boundary,
    provinces.province_name,
    provinces.short_name,
    current_provinces.province_code as current_province_code,
    current_provinces.province_name as current_province_name,
    case
        when provinces.boundary = {{ var('legacy_boundary') }}
            then date '{{ var("legacy_valid_from") }}'
        else date '{{ var("current_valid_from") }}'
    end as valid_from,
    case
        when provinces.boundary = {{ var('legacy_boundary') }}
            then date '{{ var("legacy_valid_to") }}'
    end as valid_to,
    provinces.lat,
    provinces.lon
from provinces
left join mappings
    on provinces.boundary = {{ var('legacy_boundary') }}
    and provinces.province_code = mappings.legacy_code
left join current_provinces
    on current_provinces.province_code = case
        when provinces.boundary = {{ var('legacy_boundary') }} then mappings.current_code
        else provinces.province_code
    end

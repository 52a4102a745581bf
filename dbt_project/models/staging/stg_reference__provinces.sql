select
    code as province_code,
    boundary,
    name as province_name,
    short_name,
    key as province_slug,
    lat,
    lon
from {{ ref('ref_provinces') }}

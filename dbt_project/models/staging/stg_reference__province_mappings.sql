select
    legacy_code,
    legacy_name,
    current_code,
    current_name
from {{ ref('ref_province_mapping') }}

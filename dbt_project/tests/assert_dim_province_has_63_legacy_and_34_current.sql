-- The reference data knows exactly 63 legacy and 34 current provinces, and every legacy
-- province maps to one current province.
with counts as (

    select
        count(*) filter (where boundary = {{ var('legacy_boundary') }}) as n_legacy,
        count(*) filter (where boundary = {{ var('current_boundary') }}) as n_current,
        count(*) filter (
            where boundary = {{ var('legacy_boundary') }} and current_province_code is null
        ) as n_unmapped
    from {{ ref('dim_province') }}

)

select *
from counts
where n_legacy <> {{ var('legacy_boundary') }}
    or n_current <> {{ var('current_boundary') }}
    or n_unmapped > 0

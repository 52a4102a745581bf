{#- Province figures on the CURRENT 34 boundaries for every period: reports of the 63 legacy
    provinces (through the 8-month report of 2025) are summed into the province each became
    part of; reports of the 34 pass through. A rolled-up figure is complete only when every
    legacy part reported that period (n_parts_reported = n_parts_expected). -#}
with figures as (

    select * from {{ ref('int_province_figures') }}

),

mappings as (

    select * from {{ ref('stg_reference__province_mappings') }}

),

parts_expected as (

    select current_code, count(*) as n_parts_expected
    from mappings
    group by current_code

),

rolled_up as (

    select
        figures.statistical_year,
        figures.months,
        figures.measure,
        mappings.current_code as province_code,
        count(*) as n_parts_reported,
        string_agg(figures.province_code, ',' order by figures.province_code) as legacy_codes,
        {%- for key in var('numeric_keys') %}
        sum(figures.{{ key }}) as {{ key }}{{ "," if not loop.last }}
        {%- endfor %}
    from figures
    inner join mappings on figures.province_code = mappings.legacy_code
    where figures.boundary = {{ var('legacy_boundary') }}
    group by figures.statistical_year, figures.months, figures.measure, mappings.current_code

),

legacy_periods as (

    select
        rolled_up.statistical_year,
        rolled_up.months,
        {{ var('legacy_boundary') }} as source_boundary,
        rolled_up.measure,
        rolled_up.province_code,
        rolled_up.n_parts_reported,
        parts_expected.n_parts_expected,
        rolled_up.legacy_codes,
        {%- for key in var('numeric_keys') %}
        rolled_up.{{ key }}{{ "," if not loop.last }}
        {%- endfor %}
    from rolled_up
    inner join parts_expected on rolled_up.province_code = parts_expected.current_code

),

current_periods as (

    select
        statistical_year,
        months,
        boundary as source_boundary,
        measure,
        province_code,
        1 as n_parts_reported,
        1 as n_parts_expected,
        cast(null as varchar) as legacy_codes,
        {%- for key in var('numeric_keys') %}
        {{ key }}{{ "," if not loop.last }}
        {%- endfor %}
    from figures
    where boundary = {{ var('current_boundary') }}

),

unioned as (

    select * from legacy_periods
    union all by name
    select * from current_periods

)

select
    {{ period_key('statistical_year', 'months') }} as period_key,
    {{ province_key(var('current_boundary'), 'province_code') }} as province_key,
    *,
    n_parts_reported = n_parts_expected as is_complete
from unioned

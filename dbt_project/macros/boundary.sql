{#- The boundary set of a period, as thads.contract.boundary_for: the 63 legacy provinces
    through the 8-month report of 2025, the 34 current provinces from the 9-month report on. -#}
{% macro boundary_for(statistical_year, months) -%}
    case
        when {{ statistical_year }} > {{ var('merger_year') }}
            or ({{ statistical_year }} = {{ var('merger_year') }}
                and {{ months }} >= {{ var('merger_first_months') }})
            then {{ var('current_boundary') }}
        else {{ var('legacy_boundary') }}
    end
{%- endmacro %}

{#- `<boundary>-<code>`, the key of dim_province. -#}
{% macro province_key(boundary, province_code) -%}
    cast({{ boundary }} as varchar) || '-' || {{ province_code }}
{%- endmacro %}

{#- `YYYY-MM` (statistical year, cumulative months), the key of dim_period. -#}
{% macro period_key(statistical_year, months) -%}
    cast({{ statistical_year }} as varchar) || '-' || lpad(cast({{ months }} as varchar), 2, '0')
{%- endmacro %}

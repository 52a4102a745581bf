{#- Use the configured schema as written (`marts`, not `main_marts`): the schema names are part
    of the interface (docs/interfaces.md, "schema `marts`"). -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}

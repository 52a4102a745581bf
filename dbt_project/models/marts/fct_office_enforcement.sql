{#- One row per (statistical year, months, measure, province, office) of the standing report,
    for drill-down. Incremental: only periods whose standing submission changed since the last
    build are rewritten (delete+insert on the period and province); a resubmission replaces
    every office row of the old version. -#}
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key=['statistical_year', 'months', 'province_code'],
        on_schema_change='fail',
    )
}}

with offices as (

    select * from {{ ref('int_office_figures') }}

),

provinces as (

    select province_key, province_name from {{ ref('dim_province') }}

)

select
    offices.period_key,
    offices.province_key,
    offices.statistical_year,
    offices.months,
    offices.measure,
    offices.province_code,
    offices.boundary,
    provinces.province_name,
    offices.submission_id,
    offices.office,
    offices.office_order,
    {{ report_figures('offices') }},
    offices.source_file,
    offices.sheet,
    offices.source_row
from offices
left join provinces on offices.province_key = provinces.province_key
{{ only_new_rows('submission_id', 'offices') }}

{#- Incremental: the raw layer only grows (one Parquet file per batch, never rewritten), so each
    build reads only the files of batches not seen before and appends their rows (the
    batch_id filter below keeps that true whatever the files are called). A --full-refresh
    rebuilds from all files and gives the same table. -#}
{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
    )
}}

with source as (

    {{ raw_source('report_rows', report_row_columns(), new_batches_only=true) }}

)

select
    submission_id,
    province_code,
    statistical_year,
    months,
    boundary,
    revision,
    measure,
    office,
    is_total,
    office_order,
    {%- for key in var('numeric_keys') %}
    coalesce({{ key }}, 0) as {{ key }},
    {%- endfor %}
    source_file,
    sha256,
    sheet,
    source_row,
    arrival_time,
    batch_id
from source
{{ only_new_rows('batch_id') }}

{#- Validation results: one row per (submission, rule) that passed and per failing location.
    Incremental like stg_raw__report_rows: one file per batch, never rewritten, so each
    build reads only the new batches' files. -#}
{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
    )
}}

with source as (

    {{ raw_source('data_quality', {
        'submission_id': 'varchar',
        'source_file': 'varchar',
        'province_code': 'varchar',
        'statistical_year': 'integer',
        'months': 'integer',
        'measure': 'varchar',
        'rule': 'varchar',
        'severity': 'varchar',
        'outcome': 'varchar',
        'message': 'varchar',
        'observed': 'varchar',
        'expected': 'varchar',
        'sheet': 'varchar',
        'source_row': 'integer',
        'column_label': 'varchar',
        'batch_id': 'varchar',
        'checked_at': 'timestamptz',
    }, new_batches_only=true) }}

)

select
    submission_id,
    source_file,
    province_code,
    statistical_year,
    months,
    measure,
    rule,
    severity,
    outcome,
    message,
    observed,
    expected,
    sheet,
    source_row,
    column_label,
    batch_id,
    checked_at
from source
{{ only_new_rows('batch_id') }}

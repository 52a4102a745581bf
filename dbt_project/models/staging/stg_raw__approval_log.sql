{#- The approval decisions (raw/approval_log.parquet): approve | reopen, one row each. -#}
with source as (

    {{ raw_source('approval_log', {
        'statistical_year': 'integer',
        'months': 'integer',
        'province_code': 'varchar',
        'action': 'varchar',
        'decided_by': 'varchar',
        'note': 'varchar',
        'decided_at': 'timestamptz',
        'submission_id': 'varchar',
    }) }}

)

select
    statistical_year,
    months,
    province_code,
    action,
    decided_by,
    note,
    decided_at,
    submission_id
from source

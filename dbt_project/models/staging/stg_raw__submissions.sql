{#- The registry export (rewritten each load): one row per file seen, with its status. -#}
with source as (

    {{ raw_source('submissions', {
        'file': 'varchar',
        'sha256': 'varchar',
        'submission_id': 'varchar',
        'submission_key': 'varchar',
        'province_code': 'varchar',
        'statistical_year': 'integer',
        'months': 'integer',
        'revision': 'integer',
        'fmt': 'varchar',
        'arrival_time': 'timestamptz',
        'first_seen': 'timestamptz',
        'status': 'varchar',
        'reasons': 'varchar',
        'batch_id': 'varchar',
    }) }}

)

select
    file as file_name,
    sha256,
    submission_id,
    submission_key,
    province_code,
    statistical_year,
    months,
    revision,
    fmt as file_format,
    arrival_time,
    first_seen,
    status,
    reasons,
    batch_id
from source

{#- The registry export, one row per file seen, with the province name and whether the file's
    submission is the one that stands in the warehouse. -#}
with submissions as (

    select * from {{ ref('stg_raw__submissions') }}

),

versions as (

    select submission_id, is_current from {{ ref('int_submission_versions') }}

),

provinces as (

    select province_key, province_name from {{ ref('dim_province') }}

)

select
    submissions.file_name as file,
    submissions.sha256,
    submissions.submission_id,
    submissions.submission_key,
    submissions.province_code,
    provinces.province_name,
    submissions.statistical_year,
    submissions.months,
    submissions.revision,
    submissions.file_format as fmt,
    submissions.arrival_time,
    submissions.first_seen,
    submissions.status,
    submissions.reasons,
    submissions.batch_id,
    coalesce(versions.is_current, false) as is_current
from submissions
left join versions using (submission_id)
left join provinces
    on provinces.province_key = {{ province_key(
        boundary_for('submissions.statistical_year', 'submissions.months'),
        'submissions.province_code'
    ) }}

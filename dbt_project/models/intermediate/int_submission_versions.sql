{#- Every accepted submission (one row each) and which one stands for its
    (province, statistical year, months). The warehouse does not decide that: the registry
    does (contract section 3, one Python function in ingest), and its export
    (raw/submissions.parquet) marks the standing version `loaded`. A submission the export
    does not mark `loaded` (superseded, or not yet in an export) does not stand. -#}
with report_rows as (

    select * from {{ ref('stg_raw__report_rows') }}

),

registry as (

    select
        submission_id,
        bool_or(status = 'loaded') as is_loaded_in_registry,
        string_agg(distinct status, ',' order by status) as registry_statuses
    from {{ ref('stg_raw__submissions') }}
    group by submission_id

),

submissions as (

    select
        submission_id,
        province_code,
        statistical_year,
        months,
        max(boundary) as boundary,
        max(revision) as revision,
        max(arrival_time) as arrival_time,
        min(batch_id) as batch_id,
        string_agg(distinct source_file, ', ' order by source_file) as source_files,
        count(*) as n_rows
    from report_rows
    group by submission_id, province_code, statistical_year, months

),

versions as (

    select
        submissions.*,
        coalesce(registry.is_loaded_in_registry, false) as is_loaded_in_registry,
        registry.registry_statuses,
        count(*) over (partition by province_code, statistical_year, months) as n_versions
    from submissions
    left join registry using (submission_id)

)

select
    submission_id,
    province_code,
    statistical_year,
    months,
    boundary,
    revision,
    arrival_time,
    batch_id,
    source_files,
    n_rows,
    is_loaded_in_registry,
    registry_statuses,
    n_versions,
    is_loaded_in_registry as is_current
from versions

{#- Every accepted submission (one row each) and which one stands for its
    (province, statistical year, months): the registry's `loaded` status when the registry
    export has it, else recomputed as the contract says (latest arrival_time, then the higher
    revision); submission_id only breaks exact ties so the choice is deterministic. -#}
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

ordered as (

    select
        submissions.*,
        coalesce(registry.is_loaded_in_registry, false) as is_loaded_in_registry,
        registry.registry_statuses,
        row_number() over (
            partition by province_code, statistical_year, months
            order by
                coalesce(registry.is_loaded_in_registry, false) desc,
                arrival_time desc,
                revision desc,
                submission_id desc
        ) as recency_rank,
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
    recency_rank = 1 as is_current
from ordered

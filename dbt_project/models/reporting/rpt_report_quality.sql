{#- The data quality table of the HTML report: one row per province (of a boundary set) that
    sent a file or got a warning, with its files by status, its warnings, and the first reason
    of its last refused file (arrival order) plus how many more reasons that file had. Rows
    without a province code (the file name was not valid) form one row. Print order
    (`display_order`): most refusals and warnings first, then by code. -#}
with files as (

    select
        case when province_code is not null then boundary end as boundary,
        province_code,
        min(province_name) as province_name,
        count(*) as files,
        count(*) filter (where status = 'loaded') as loaded,
        count(*) filter (where status = 'superseded') as superseded,
        count(*) filter (where status = 'duplicate') as duplicate,
        count(*) filter (where status = 'quarantined') as quarantined
    from {{ ref('int_report_submissions') }}
    group by all

),

last_refusal as (

    select
        case when province_code is not null then boundary end as boundary,
        province_code,
        reasons[1] as last_reason,
        len(reasons) - 1 as last_reason_more
    from {{ ref('int_report_submissions') }}
    where status = 'quarantined' and len(reasons) > 0
    qualify row_number() over (
        partition by case when province_code is not null then boundary end, province_code
        order by arrival_time desc nulls first, file desc
    ) = 1

),

warnings as (

    select
        case
            when province_code is not null and statistical_year is not null
                then {{ boundary_for('statistical_year', 'months') }}
        end as boundary,
        province_code,
        min(province_name) as province_name,
        count(*) as warnings
    from {{ ref('fct_data_quality') }}
    where outcome = 'fail' and severity = 'warning'
    group by all

),

combined as (

    select
        coalesce(files.boundary, warnings.boundary) as boundary,
        coalesce(files.province_code, warnings.province_code) as province_code,
        coalesce(
            files.province_name,
            warnings.province_name,
            files.province_code,
            warnings.province_code,
            'Không xác định (tên tệp không đúng quy định)'
        ) as province_name,
        coalesce(files.files, 0) as files,
        coalesce(files.loaded, 0) as loaded,
        coalesce(files.superseded, 0) as superseded,
        coalesce(files.duplicate, 0) as duplicate,
        coalesce(files.quarantined, 0) as quarantined,
        coalesce(warnings.warnings, 0) as warnings
    from files
    full outer join warnings
        on files.boundary is not distinct from warnings.boundary
        and files.province_code is not distinct from warnings.province_code

)

select
    combined.*,
    last_refusal.last_reason,
    coalesce(last_refusal.last_reason_more, 0) as last_reason_more,
    cast(row_number() over (
        order by combined.quarantined + combined.warnings desc,
            coalesce(combined.province_code, '~'), combined.province_name, combined.boundary
    ) as integer) as display_order
from combined
left join last_refusal
    on combined.boundary is not distinct from last_refusal.boundary
    and combined.province_code is not distinct from last_refusal.province_code

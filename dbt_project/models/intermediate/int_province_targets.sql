{#- One row per (statistical year, boundary set, province) with the targets that apply.
    Only the latest targets file of a year counts (a newer file replaces the older one). The
    boundary is the file's `boundary` column when present; otherwise the year says it (before
    the merger year 63, after it 34) and for the merger year itself a code is matched in every
    set that has it (code 80 would then get the same target as Long An and as Tây Ninh: files
    for that year should carry the column, as the contract asks). -#}
with targets as (

    select * from {{ ref('stg_raw__targets') }}

),

provinces as (

    select province_code, boundary from {{ ref('stg_reference__provinces') }}

),

latest_file as (

    select *
    from targets
    qualify rank() over (
        partition by statistical_year
        order by arrival_time desc nulls last, source_file desc nulls last
    ) = 1

),

resolved as (

    select
        latest_file.statistical_year,
        provinces.boundary,
        latest_file.province_code,
        latest_file.case_target_pct,
        latest_file.money_target_pct,
        latest_file.boundary is not null as boundary_in_file,
        latest_file.source_file,
        latest_file.arrival_time
    from latest_file
    inner join provinces
        on latest_file.province_code = provinces.province_code
        and provinces.boundary = coalesce(
            latest_file.boundary,
            case
                when latest_file.statistical_year < {{ var('merger_year') }}
                    then {{ var('legacy_boundary') }}
                when latest_file.statistical_year > {{ var('merger_year') }}
                    then {{ var('current_boundary') }}
            end,
            provinces.boundary
        )

)

select *
from resolved
qualify row_number() over (
    partition by statistical_year, boundary, province_code
    order by boundary_in_file desc, arrival_time desc nulls last, source_file desc nulls last
) = 1

{#- When each province's files for a period arrived (contract 6.1), from the registry export:
    the first file of any status, and the earliest version that passed validation (loaded, or
    loaded and later superseded). A CSV pair arrives when its second half was seen. Arrival
    times are the registry's (when the warehouse first saw the file, or the vouched file time
    of `thads load --trust-mtime`). -#}
with files as (

    select *
    from {{ ref('stg_raw__submissions') }}
    where file_format != 'targets'
        and province_code is not null
        and statistical_year is not null
        and months is not null
        and arrival_time is not null

),

accepted_versions as (

    select
        province_code,
        statistical_year,
        months,
        submission_id,
        max(arrival_time) as arrival_time
    from files
    where status in ('loaded', 'superseded')
    group by province_code, statistical_year, months, submission_id

),

accepted as (

    select
        province_code,
        statistical_year,
        months,
        min(arrival_time) as accepted_arrival_at
    from accepted_versions
    group by province_code, statistical_year, months

),

seen as (

    select
        province_code,
        statistical_year,
        months,
        min(arrival_time) as first_arrival_at,
        count(*) as n_files
    from files
    group by province_code, statistical_year, months

)

select
    seen.statistical_year,
    seen.months,
    seen.province_code,
    seen.first_arrival_at,
    accepted.accepted_arrival_at,
    seen.n_files,
    min(seen.first_arrival_at) over (
        partition by seen.statistical_year, seen.months
    ) as period_entered_at
from seen
left join accepted using (province_code, statistical_year, months)

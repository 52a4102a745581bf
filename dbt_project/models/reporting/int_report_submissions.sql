{#- Every file of the registry export with what the report prints beside it: the boundary
    set of its period (null when the file name gave no period), the province's name in that
    set (the code when unknown) and its reasons as a list of texts. `reasons` is a JSON list of
    strings; a plain string (older exports) becomes a one-element list. -#}
with submissions as (

    select
        *,
        case
            when statistical_year is not null then {{ boundary_for('statistical_year', 'months') }}
        end as boundary
    from {{ ref('fct_submissions') }}

),

provinces as (

    select province_code, boundary, province_name from {{ ref('dim_province') }}

)

select
    submissions.file,
    submissions.province_code,
    submissions.statistical_year,
    submissions.months,
    submissions.boundary,
    submissions.status,
    submissions.arrival_time,
    coalesce(provinces.province_name, submissions.province_code) as province_name,
    case
        when submissions.reasons is null then cast([] as varchar[])
        when json_valid(submissions.reasons) and json_type(submissions.reasons) = 'ARRAY'
            then cast(json_extract_string(submissions.reasons, '$[*]') as varchar[])
        when json_valid(submissions.reasons)
            then [json_extract_string(submissions.reasons, '$')]
        else [submissions.reasons]
    end as reasons
from submissions
left join provinces
    on submissions.province_code = provinces.province_code
    and submissions.boundary = provinces.boundary

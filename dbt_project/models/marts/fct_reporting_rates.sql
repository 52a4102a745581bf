{#- Contract 6.1, as DHIS2 defines reporting rates: per (statistical year, boundary set,
    province), and for the nation (province_code 'VN'), the reports expected (compliance rows
    other than not_due), reported (on time + late) and on time, and the two rates. -#}
with compliance as (

    select * from {{ ref('fct_reporting_compliance') }}

),

counted as (

    select
        statistical_year,
        boundary,
        province_code,
        count(*) filter (where status != 'not_due') as n_expected,
        count(*) filter (where status in ('on_time', 'late')) as n_reported,
        count(*) filter (where status = 'on_time') as n_on_time
    from compliance
    group by grouping sets (
        (statistical_year, boundary, province_code),
        (statistical_year, boundary)
    )

)

select
    statistical_year,
    boundary,
    coalesce(province_code, 'VN') as province_code,
    n_expected,
    n_reported,
    n_on_time,
    case when n_expected > 0 then 100.0 * n_reported / n_expected end as reporting_rate_pct,
    case when n_expected > 0 then 100.0 * n_on_time / n_expected end as on_time_rate_pct
from counted

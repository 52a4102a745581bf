{#- What the data team sees before approving a period's figures as final (contract section
    7; the year-end close DAG shows it for months = 12): one row per period that has entered
    compliance, with how many provinces reported, which are late, rejected or missing, the
    national rates and how many provinces' figures are final already. -#}
with compliance as (

    select * from {{ ref('fct_reporting_compliance') }}

),

national as (

    select
        statistical_year,
        months,
        max(case when measure = 'cases' then rate_pct end) as cases_rate_pct,
        max(case when measure = 'money' then rate_pct end) as money_rate_pct
    from {{ ref('fct_national_summary') }}
    group by statistical_year, months

),

approvals as (

    select * from {{ ref('int_approval_state') }}

),

periods as (

    select
        compliance.statistical_year,
        compliance.months,
        any_value(compliance.boundary) as boundary,
        count(*) as n_expected,
        count(*) filter (where compliance.status in ('on_time', 'late')) as n_reported,
        count(*) filter (where compliance.status = 'on_time') as n_on_time,
        count(*) filter (where compliance.status = 'late') as n_late,
        count(*) filter (where compliance.status = 'rejected') as n_rejected,
        count(*) filter (where compliance.status = 'missing') as n_missing,
        count(*) filter (where compliance.status = 'not_due') as n_not_due,
        count(*) filter (where coalesce(approvals.is_final, false)) as n_final,
        string_agg(compliance.province_code, ', ' order by compliance.province_code)
            filter (where compliance.status = 'late') as late_provinces,
        string_agg(compliance.province_code, ', ' order by compliance.province_code)
            filter (where compliance.status = 'rejected') as rejected_provinces,
        string_agg(compliance.province_code, ', ' order by compliance.province_code)
            filter (where compliance.status = 'missing') as missing_provinces,
        max(approvals.approved_at) as last_approved_at
    from compliance
    left join approvals using (statistical_year, months, province_code)
    group by compliance.statistical_year, compliance.months

)

select
    periods.*,
    national.cases_rate_pct,
    national.money_rate_pct
from periods
left join national using (statistical_year, months)

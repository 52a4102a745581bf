{#- Contract 6.1: one row per (statistical year, months, province) expected in a period that
    has entered compliance (any file for it arrived), judged at the time of the build: the
    stretch of fct_reporting_compliance_history that holds that moment. -#}
select
    statistical_year,
    months,
    province_code,
    province_name,
    boundary,
    period_closes,
    deadline,
    first_arrival_at,
    accepted_arrival_at,
    status,
    working_days_late,
    {{ compliance_judged_at() }} as judged_at
from {{ ref('fct_reporting_compliance_history') }}
where period_entered_at <= {{ compliance_judged_at() }}
    and valid_from <= {{ compliance_judged_at() }}
    and {{ compliance_judged_at() }} < valid_to

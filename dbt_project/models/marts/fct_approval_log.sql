{#- Contract section 7: every approval decision, the audit trail of final figures. -#}
select
    statistical_year,
    months,
    province_code,
    action,
    decided_by as "by",
    note,
    decided_at as "at",
    submission_id
from {{ ref('stg_raw__approval_log') }}

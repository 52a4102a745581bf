{#- The approval state of every (province, period) that has a decision: final while the
    latest decision is an approval (contract section 7). -#}
with decisions as (

    select
        *,
        row_number() over (
            partition by statistical_year, months, province_code
            order by decided_at desc
        ) as recency
    from {{ ref('stg_raw__approval_log') }}

)

select
    statistical_year,
    months,
    province_code,
    action = 'approve' as is_final,
    case when action = 'approve' then decided_at end as approved_at,
    case when action = 'approve' then decided_by end as approved_by,
    case when action = 'approve' then submission_id end as approved_submission_id
from decisions
where recency = 1

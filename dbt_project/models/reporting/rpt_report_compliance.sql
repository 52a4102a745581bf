{#- The report's compliance block (contract 6.1): fct_reporting_compliance as printed, one row
    per (period, province) with its status in Vietnamese, in print order (`display_order`:
    missing, rejected, late (most days first), not due, on time; then the code), and the
    period's deadline. The year's rates are rpt_report_reporting_rates. -#}
select
    {{ period_key('statistical_year', 'months') }} as period_key,
    statistical_year,
    months,
    boundary,
    province_code,
    province_name,
    status,
    case status
        when 'on_time' then 'Đúng hạn'
        when 'late' then 'Gửi chậm'
        when 'rejected' then 'Bị từ chối'
        when 'missing' then 'Chưa gửi'
        when 'not_due' then 'Chưa đến hạn'
    end as status_label,
    working_days_late,
    cast(timezone('Asia/Ho_Chi_Minh', deadline) as date) as deadline_day,
    cast(row_number() over (
        partition by statistical_year, months
        order by
            case status
                when 'missing' then 1 when 'rejected' then 2 when 'late' then 3
                when 'not_due' then 4 else 5
            end,
            working_days_late desc nulls last,
            province_code
    ) as integer) as display_order
from {{ ref('fct_reporting_compliance') }}

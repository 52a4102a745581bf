select
    day as calendar_day,
    is_working_day,
    nullif(holiday, '') as holiday_name
from {{ ref('ref_calendar_days') }}

select
    cast(day as date) as calendar_day,
    cast(is_working_day as boolean) as is_working_day,
    nullif(holiday, '') as holiday_name
from {{ source('calendar', 'calendar_days') }}

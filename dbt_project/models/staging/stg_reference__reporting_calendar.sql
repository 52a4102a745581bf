select
    cast(statistical_year as integer) as statistical_year,
    cast(months as integer) as months,
    cast(boundary as integer) as boundary,
    cast(period_closes as date) as period_closes,
    cast(deadline_day as date) as deadline_day,
    cast(deadline as timestamptz) as deadline
from {{ source('calendar', 'reporting_calendar') }}

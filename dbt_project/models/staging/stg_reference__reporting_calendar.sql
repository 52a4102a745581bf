select
    statistical_year,
    months,
    boundary,
    period_closes,
    deadline_day,
    deadline
from {{ ref('ref_reporting_calendar') }}

select
    statistical_year,
    case_target_pct,
    money_target_pct
from {{ ref('ref_national_targets') }}

{#- The report's national reporting rates per statistical year and boundary set (DHIS2's
    reporting and on-time rates, contract 6.1): the `VN` rows of fct_reporting_rates. -#}
select
    statistical_year,
    boundary,
    n_expected,
    n_reported,
    n_on_time,
    reporting_rate_pct,
    on_time_rate_pct
from {{ ref('fct_reporting_rates') }}
where province_code = 'VN'

{#- The boundary_for macro (macros/boundary.sql) gives, for every period of the reporting
    calendar, the boundary set thads.contract.boundary_for wrote into that GENERATED seed:
    the macro and the Python rule cannot drift apart. Rows returned are disagreements. -#}
select
    statistical_year,
    months,
    boundary as contract_boundary,
    {{ boundary_for('statistical_year', 'months') }} as macro_boundary
from {{ ref('stg_reference__reporting_calendar') }}
where boundary <> {{ boundary_for('statistical_year', 'months') }}

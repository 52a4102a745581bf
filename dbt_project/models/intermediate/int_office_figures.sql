{#- One row per (period, measure, province, office) of the standing submission: the office
    rows, without the total row, for drill-down. -#}
select * exclude (is_total)
from {{ ref('int_standing_report_rows') }}
where not is_total

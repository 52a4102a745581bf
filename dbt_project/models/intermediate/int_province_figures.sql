{#- One row per (period, measure, province): the TOTAL row of the standing submission, i.e.
    the province's own figures (int_standing_report_rows says which rows stand). -#}
select * exclude (is_total, office, office_order, source_file, sheet, source_row)
from {{ ref('int_standing_report_rows') }}
where is_total

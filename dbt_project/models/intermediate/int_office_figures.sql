{#- One row per (period, measure, province, office) of the standing submission: the office
    rows, without the total row, for drill-down. -#}
with report_rows as (

    select * from {{ ref('stg_raw__report_rows') }}

),

current_submissions as (

    select submission_id from {{ ref('int_submission_versions') }}
    where is_current

)

select
    {{ period_key('statistical_year', 'months') }} as period_key,
    {{ province_key(boundary_for('statistical_year', 'months'), 'province_code') }} as province_key,
    statistical_year,
    months,
    {{ boundary_for('statistical_year', 'months') }} as boundary,
    measure,
    province_code,
    submission_id,
    office,
    office_order,
    {%- for key in var('numeric_keys') %}
    {{ key }},
    {%- endfor %}
    {{ rate_pct('completed', 'terminated', 'with_conditions') }} as rate_pct,
    source_file,
    sheet,
    source_row
from report_rows
inner join current_submissions using (submission_id)
where not is_total

{#- Every row of the standing submission of each period (the total row and the office rows),
    with its period and province keys, boundary set and rate: the one place that says which
    rows are the figures of a period. int_province_figures keeps the total row (a province's
    figure is the sum of its units; Great Expectations has already checked that the total
    row equals the sum of the office rows), int_office_figures the office rows. -#}
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
    is_total,
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

{#- The validation results (Great Expectations) for BI, with the province name. -#}
with results as (

    select * from {{ ref('stg_raw__data_quality_results') }}

),

provinces as (

    select province_key, province_name from {{ ref('dim_province') }}

)

select
    md5(concat_ws('|',
        results.batch_id, results.submission_id, results.source_file, results.measure,
        results.rule, results.outcome, results.sheet, cast(results.source_row as varchar),
        results.column_label, results.message
    )) as finding_id,
    results.submission_id,
    results.source_file,
    results.province_code,
    provinces.province_name,
    results.statistical_year,
    results.months,
    results.measure,
    results.rule,
    results.severity,
    results.outcome,
    results.message,
    results.observed,
    results.expected,
    results.sheet,
    results.source_row,
    results.column_label,
    results.batch_id,
    results.checked_at
from results
left join provinces
    on provinces.province_key = {{ province_key(
        boundary_for('results.statistical_year', 'results.months'), 'results.province_code'
    ) }}

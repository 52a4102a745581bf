{#- Province targets. `boundary` is only present for a year spanning the merger; `source_file`
    and `arrival_time` (when ingest writes them) let int_province_targets keep the latest file. -#}
with source as (

    {{ raw_source('targets', {
        'statistical_year': 'integer',
        'province_code': 'varchar',
        'boundary': 'integer',
        'case_target_pct': 'double',
        'money_target_pct': 'double',
        'source_file': 'varchar',
        'arrival_time': 'timestamptz',
    }) }}

)

select
    statistical_year,
    lpad(trim(province_code), 2, '0') as province_code,
    boundary,
    case_target_pct,
    money_target_pct,
    source_file,
    arrival_time
from source

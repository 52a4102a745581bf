{#- The issues listed under each period of the HTML report: one row per reason of each
    refused file (kind `quarantined`; "(không có lý do)" when it has none), then one per
    warning of an accepted file (kind `warning`), in print order (`display_order`). -#}
with refused as (

    select * replace (
        case when len(reasons) = 0 then ['(không có lý do)'] else reasons end as reasons
    )
    from {{ ref('int_report_submissions') }}
    where status = 'quarantined' and statistical_year is not null

),

refusal_reasons as (

    select
        statistical_year,
        months,
        province_code,
        province_name,
        file,
        'quarantined' as kind,
        1 as kind_order,
        unnest(reasons) as message,
        unnest(generate_series(1, len(reasons))) as reason_index
    from refused

),

warnings as (

    select
        statistical_year,
        months,
        province_code,
        coalesce(province_name, '') as province_name,
        source_file as file,
        'warning' as kind,
        2 as kind_order,
        coalesce(message, '') as message,
        1 as reason_index
    from {{ ref('fct_data_quality') }}
    where outcome = 'fail' and severity = 'warning' and statistical_year is not null

),

issues as (

    select * from refusal_reasons
    union all by name
    select * from warnings

)

select
    {{ period_key('statistical_year', 'months') }} as period_key,
    statistical_year,
    months,
    province_code,
    province_name,
    file,
    kind,
    message,
    cast(row_number() over (
        partition by statistical_year, months
        order by kind_order, province_code, file, reason_index, message
    ) as integer) as display_order
from issues

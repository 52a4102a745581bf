{#- National totals per (statistical year, months, measure): the sum of the provinces'
    standing reports, the national rate and the national target of the year. -#}
with figures as (

    select * from {{ ref('int_province_figures') }}

),

national_targets as (

    select * from {{ ref('stg_reference__national_targets') }}

),

summed as (

    select
        statistical_year,
        months,
        measure,
        boundary,
        count(distinct province_code) as n_provinces_reported,
        {%- for key in var('numeric_keys') %}
        sum({{ key }}) as {{ key }}{{ "," if not loop.last }}
        {%- endfor %}
    from figures
    group by statistical_year, months, measure, boundary

),

rated as (

    select
        summed.*,
        {{ rate_pct('completed', 'terminated', 'with_conditions') }} as rate_pct,
        {{ measure_target_pct('summed.measure', 'national_targets') }} as national_target_pct
    from summed
    left join national_targets using (statistical_year)

)

select
    {{ period_key('statistical_year', 'months') }} as period_key,
    statistical_year,
    months,
    measure,
    boundary,
    cast(n_provinces_reported as integer) as n_provinces_reported,
    boundary as n_expected,
    {{ report_figures() }},
    national_target_pct,
    rate_pct - national_target_pct as gap_pp
from rated

{#- The ranking tables and tile maps of the HTML report: fct_province_ranking as printed, one
    row per (period, measure, province), in print order (`display_order`: ranked best first,
    then unranked). `merged_from`: for a current province formed from several legacy ones,
    their short names (empty otherwise). -#}
with ranking as (

    select * from {{ ref('fct_province_ranking') }}

),

provinces as (

    select * from {{ ref('dim_province') }}

),

merged_from as (

    select current_province_code as province_code, list(short_name order by province_code) as legacy
    from provinces
    where boundary = {{ var('legacy_boundary') }}
    group by current_province_code

)

select
    ranking.period_key,
    ranking.statistical_year,
    ranking.months,
    ranking.measure,
    ranking.province_code,
    coalesce(ranking.province_name, provinces.province_name, ranking.province_code)
        as province_name,
    coalesce(provinces.short_name, ranking.province_name, ranking.province_code) as short_name,
    ranking.rank,
    ranking.n_ranked,
    ranking.rank_label,
    case
        when ranking.completed is not null or ranking.terminated is not null
            then coalesce(ranking.completed, 0) + coalesce(ranking.terminated, 0)
    end as done,
    ranking.with_conditions,
    ranking.rate_pct,
    ranking.target_pct,
    ranking.gap_pp,
    ranking.scorecard,
    provinces.lat,
    provinces.lon,
    ranking.with_conditions is not null as reported,
    case
        when ranking.boundary = {{ var('current_boundary') }} and len(merged_from.legacy) > 1
            then merged_from.legacy
        else cast([] as varchar[])
    end as merged_from,
    cast(row_number() over (
        partition by ranking.statistical_year, ranking.months, ranking.measure
        order by ranking.rank nulls last, ranking.rate_pct desc nulls last,
            ranking.province_name, ranking.province_code
    ) as integer) as display_order
from ranking
left join provinces
    on ranking.boundary = provinces.boundary
    and ranking.province_code = provinces.province_code
left join merged_from
    on ranking.province_code = merged_from.province_code

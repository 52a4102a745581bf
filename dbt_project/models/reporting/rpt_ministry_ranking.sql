{#- The ministry's printed ranking table (`thads export --ranking`): one row per province of
    a period's boundary set, cases and money side by side (with conditions, done, rate,
    target, gap, rank "6/63", scorecard), in the order the ministry prints it: by the cases rank, then
    the money rank, then the code; `stt` is that order. `figure_status`/`approved_at` (contract
    section 7) are the province's, one decision for both measures. From fct_province_ranking
    only. -#}
with ranking as (

    select * from {{ ref('fct_province_ranking') }}

),

side_by_side as (

    select
        statistical_year,
        months,
        boundary,
        province_code,
        any_value(province_name) as province_name,
        -- an approval covers the province's period: the same on both measures' rows
        any_value(figure_status) as figure_status,
        any_value(approved_at) as approved_at,
        {%- for measure in ['cases', 'money'] %}
        any_value(with_conditions) filter (where measure = '{{ measure }}')
            as {{ measure }}_with_conditions,
        any_value(completed + terminated) filter (where measure = '{{ measure }}')
            as {{ measure }}_done,
        any_value(rate_pct) filter (where measure = '{{ measure }}') as {{ measure }}_rate_pct,
        any_value(target_pct) filter (where measure = '{{ measure }}')
            as {{ measure }}_target_pct,
        any_value(gap_pp) filter (where measure = '{{ measure }}') as {{ measure }}_gap_pp,
        any_value(rank) filter (where measure = '{{ measure }}') as {{ measure }}_rank,
        any_value(rank_label) filter (where measure = '{{ measure }}')
            as {{ measure }}_rank_label,
        any_value(scorecard) filter (where measure = '{{ measure }}')
            as {{ measure }}_scorecard{{ "," if not loop.last }}
        {%- endfor %}
    from ranking
    group by statistical_year, months, boundary, province_code

)

select
    row_number() over (
        partition by statistical_year, months
        order by cases_rank nulls last, money_rank nulls last, province_code
    ) as stt,
    *
from side_by_side

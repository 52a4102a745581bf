{#- The province ranking of contract section 4: ONE definition for every ranking mart
    (fct_province_ranking, fct_province_ranking_current_boundaries).

    `relation`: one row per (statistical_year, months, measure, province of the boundary set)
    with at least
      rate_pct    the rate, null when the province has none (no report, zero with_conditions,
                  or an incomplete roll-up);
      completed   cases (or money) completed;
      has_report  the province has an accepted report for the period (on current boundaries:
                  every legacy part reported).
    Returns every column of `relation` plus
      rank        competition rank (1, 2, 2, 4) on rate_pct, best first; null without a rate;
      n_ranked    the provinces with an accepted report for the period (contract section 4):
                  a report with zero with_conditions counts but gets no rank;
      rank_label  "rank/n_ranked" ("6/63"), null without a rank;
      completed_rank  competition rank by `completed` (higher first) among the provinces with
                  an accepted report (contract 6.2; Đồng Tháp 5/34 by cases completed).
    A mart adds its own columns (a count rank, a status) by selecting from this beside them;
    extra columns of `relation` pass through untouched. -#}
{% macro rank_provinces(relation, partition_by=none) -%}
    {%- set partition_by = partition_by or ranking_partition() -%}
    select
        ranked.*,
        case
            when ranked.rank is not null
                then cast(ranked.rank as varchar) || '/' || cast(ranked.n_ranked as varchar)
        end as rank_label
    from (
        select
            unranked.*,
            cast({{ competition_rank('unranked.rate_pct', partition_by) }} as integer) as rank,
            cast({{ n_ranked('unranked.has_report', partition_by) }} as integer) as n_ranked,
            cast({{ competition_rank(
                'case when unranked.has_report then unranked.completed end', partition_by
            ) }} as integer) as completed_rank
        from {{ relation }} as unranked
    ) as ranked
{%- endmacro %}

{#- The partition a province is ranked in: one period and one measure (also for any other
    rank a ranking mart adds, e.g. by completed). -#}
{% macro ranking_partition() -%}
    {{ return(['statistical_year', 'months', 'measure']) }}
{%- endmacro %}

{#- Contract 6.2, the traffic light of a ranking row: green at or above target, amber below it
    by at most var('scorecard_amber_pp') points (THADS_SCORECARD_AMBER_PP, default 2), red
    further below, null without a target or a rate. -#}
{% macro scorecard(gap_pp) -%}
    case
        when {{ gap_pp }} is null then null
        when {{ gap_pp }} >= 0 then 'green'
        when {{ gap_pp }} >= -{{ var('scorecard_amber_pp') }} then 'amber'
        else 'red'
    end
{%- endmacro %}

{#- The columns of a ranking row (contract section 4), in order, selected from the output of
    rank_provinces: ONE list for both ranking marts. `boundary`: the boundary set the
    provinces are ranked in (also n_expected); `own_columns`: the mart's own columns, placed
    after `boundary` (e.g. submission_id, or the roll-up's parts). -#}
{% macro ranking_columns(boundary, own_columns) -%}
    {{ period_key('statistical_year', 'months') }} as period_key,
    province_key,
    statistical_year,
    months,
    measure,
    province_code,
    province_name,
    {{ boundary }} as boundary,
    {%- for column in own_columns %}
    {{ column }},
    {%- endfor %}
    has_report,
    completed,
    terminated,
    with_conditions,
    rate_pct,
    rank,
    n_ranked,
    rank_label,
    {{ boundary }} as n_expected,
    target_pct,
    rate_pct - target_pct as gap_pp,
    {{ scorecard('rate_pct - target_pct') }} as scorecard,
    completed_rank
{%- endmacro %}

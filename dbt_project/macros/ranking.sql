{#- The province ranking of contract section 4: ONE definition for every ranking mart
    (fct_province_ranking, fct_province_ranking_current_boundaries).

    `relation`: one row per (statistical_year, months, measure, province of the boundary set)
    with at least
      rate_pct    the rate, null when the province has none (no report, zero with_conditions,
                  or an incomplete roll-up);
      has_report  the province has an accepted report for the period (on current boundaries:
                  every legacy part reported).
    Returns every column of `relation` plus
      rank        competition rank (1, 2, 2, 4) on rate_pct, best first; null without a rate;
      n_ranked    the provinces with an accepted report for the period (contract section 4):
                  a report with zero with_conditions counts but gets no rank;
      rank_label  "rank/n_ranked" ("6/63"), null without a rank.
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
            cast({{ n_ranked('unranked.has_report', partition_by) }} as integer) as n_ranked
        from {{ relation }} as unranked
    ) as ranked
{%- endmacro %}

{#- The partition a province is ranked in: one period and one measure (also for any other
    rank a ranking mart adds, e.g. by completed). -#}
{% macro ranking_partition() -%}
    {{ return(['statistical_year', 'months', 'measure']) }}
{%- endmacro %}

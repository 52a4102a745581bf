{#- The enforcement rate (domain.md): (completed + terminated) over WITH CONDITIONS, in percent,
    at full precision (shown to two decimals by readers). Null when nothing had conditions. -#}
{% macro rate_pct(completed, terminated, with_conditions) -%}
    case
        when coalesce({{ with_conditions }}, 0) = 0 then null
        else ({{ completed }} + {{ terminated }}) * 100.0 / {{ with_conditions }}
    end
{%- endmacro %}

{#- Competition ranking (1, 2, 2, 4) on rate_pct, best first, within each partition. Rows without
    a rate get no rank and do not push anyone down. Rates are compared at full precision: equal
    fractions give equal doubles because IEEE division is correctly rounded. -#}
{% macro competition_rank(rate, partition_by) -%}
    case
        when {{ rate }} is null then null
        else rank() over (
            partition by {{ partition_by | join(', ') }}, ({{ rate }} is null)
            order by {{ rate }} desc
        )
    end
{%- endmacro %}

{#- n_ranked (contract section 4): how many rows of the partition have `has_report` true,
    i.e. the provinces with an accepted report for the period, ranked or not. Used by
    rank_provinces (macros/ranking.sql) and nowhere else. -#}
{% macro n_ranked(has_report, partition_by) -%}
    count(case when {{ has_report }} then 1 end) over (partition by {{ partition_by | join(', ') }})
{%- endmacro %}

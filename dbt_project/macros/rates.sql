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

{#- How many rows of the partition have `column` set: the rate (rows that got a rank), or the
    submission (provinces with an accepted report, contract section 4). -#}
{% macro n_ranked(column, partition_by) -%}
    count({{ column }}) over (partition by {{ partition_by | join(', ') }})
{%- endmacro %}

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

{#- The target rate of a measure (contract 6.2): `targets` is a relation with the columns
    case_target_pct and money_target_pct (int_province_targets, the national targets). -#}
{% macro measure_target_pct(measure, targets) -%}
    case {{ measure }}
        when 'cases' then {{ targets }}.case_target_pct
        when 'money' then {{ targets }}.money_target_pct
    end
{%- endmacro %}

{#- The figures of a report row as the marts show them, in order: the 14 numeric keys, the
    rate and what is carried to the next statistical year (domain.md: must_enforce minus
    what was done). `relation`: the (aliased) relation they are selected from, or '' for
    unqualified columns. -#}
{% macro report_figures(relation='') -%}
    {%- set prefix = relation ~ '.' if relation else '' -%}
    {%- for key in var('numeric_keys') %}
    {{ prefix }}{{ key }},
    {%- endfor %}
    {{ prefix }}rate_pct,
    {{ prefix }}must_enforce - ({{ prefix }}completed + {{ prefix }}terminated)
        as carried_to_next_year
{%- endmacro %}

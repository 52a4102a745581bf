{#- The columns (of `columns`) that hold nulls, with how many. One test node per model rather
    than one per column: each dbt node costs ~0.1 s of overhead, and the load budget is 15 s. -#}
{% test not_null_columns(model, columns) %}

select *
from (
    {%- for column in columns %}
    select '{{ column }}' as null_column, count(*) as n_null
    from {{ model }}
    where {{ column }} is null
    {{ "union all" if not loop.last }}
    {%- endfor %}
) as nulls
where n_null > 0

{% endtest %}

{#- Groups where the sums of `columns` in this model differ from the sums in `compare_model`
    (e.g. national totals = the sum of the provinces), beyond a relative tolerance for
    floating point summation order. -#}
{% test equal_sum(model, compare_model, group_by, columns, compare_where=none) %}

with ours as (

    select
        {{ group_by | join(', ') }},
        {%- for column in columns %}
        sum({{ column }}) as {{ column }}{{ "," if not loop.last }}
        {%- endfor %}
    from {{ model }}
    group by {{ group_by | join(', ') }}

),

theirs as (

    select
        {{ group_by | join(', ') }},
        {%- for column in columns %}
        sum({{ column }}) as {{ column }}{{ "," if not loop.last }}
        {%- endfor %}
    from {{ compare_model }}
    {%- if compare_where %}
    where {{ compare_where }}
    {%- endif %}
    group by {{ group_by | join(', ') }}

)

select *
from ours
full outer join theirs using ({{ group_by | join(', ') }})
where
    {%- for column in columns %}
    abs(coalesce(ours.{{ column }}, 0) - coalesce(theirs.{{ column }}, 0))
        > 1e-9 * greatest(1, abs(coalesce(theirs.{{ column }}, 0)))
    or (ours.{{ column }} is null) <> (theirs.{{ column }} is null)
    {{- " or" if not loop.last }}
    {%- endfor %}

{% endtest %}

{#- Rows whose rank_label is not `<rank>/<n_ranked>` (e.g. "6/63"), or is set without a rank. -#}
{% test rank_label_is_consistent(model, rank='rank', n_ranked='n_ranked', label='rank_label') %}

select *
from {{ model }}
where ({{ rank }} is null and {{ label }} is not null)
    or ({{ rank }} is not null and (
        {{ label }} is null
        or not regexp_full_match({{ label }}, '[1-9][0-9]*/[1-9][0-9]*')
        or {{ label }} <> cast({{ rank }} as varchar) || '/' || cast({{ n_ranked }} as varchar)
        or {{ rank }} > {{ n_ranked }}
    ))

{% endtest %}

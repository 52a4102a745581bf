{#- Rows where a boolean SQL expression is not true (as jaffle-shop states
    `order_total = subtotal + tax_paid`). `where` narrows the rows checked. -#}
{% test expression_is_true(model, expression, where=none) %}

select *
from {{ model }}
where not coalesce(({{ expression }}), false)
{%- if where %}
    and ({{ where }})
{%- endif %}

{% endtest %}

{#- Rows where `left = sum(sign * column)` is off by more than var('identity_tolerance'):
    the report identities of contract.IDENTITIES, re-checked in the warehouse. -#}
{% test identity_holds(model, left, right) %}

select *
from {{ model }}
where abs(
    {{ left }} - (
        {%- for column, sign in right.items() %}
        {{ "+" if sign > 0 else "-" }} {{ column }}
        {%- endfor %}
    )
) > {{ var('identity_tolerance') }}

{% endtest %}

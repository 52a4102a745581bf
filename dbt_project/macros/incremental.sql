{#- The filter of an incremental model that appends only what it does not hold yet: on an
    incremental run, rows whose `column` (batch_id, submission_id) is not in the model
    already; on a full build, no filter. `relation`: the alias the column is read from,
    where the select joins several relations. -#}
{% macro only_new_rows(column, relation='') -%}
    {%- if is_incremental() %}
where {{ relation ~ '.' if relation }}{{ column }} not in (
    select {{ column }} from {{ this }} where {{ column }} is not null
)
    {%- endif %}
{%- endmacro %}

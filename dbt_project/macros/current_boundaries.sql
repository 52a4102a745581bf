{#- The province figures on CURRENT boundaries that are complete (every former province
    reported), with what comparisons and terms add up: the one selection that
    fct_province_comparison (contract 6.3) and fct_term_totals (contract 6.4) start from.
    A macro rather than a model so that their unit tests keep giving
    int_province_figures_current_boundaries. -#}
{% macro complete_current_figures() -%}
    select
        statistical_year,
        months,
        measure,
        province_code,
        must_enforce,
        with_conditions,
        completed,
        terminated
    from {{ ref('int_province_figures_current_boundaries') }}
    where is_complete
{%- endmacro %}

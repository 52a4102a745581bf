{#- Contract 6.1, the one statement of a reporting status, judged at `judged_at`:
    on_time / late once a version that passed validation has arrived (by the deadline or
    after it); before that, not_due until the deadline has passed, then rejected when files
    arrived and none passed, missing when nothing arrived. fct_reporting_compliance_history
    evaluates it at every moment the answer can change; the mart takes the build's moment. -#}
{% macro reporting_status(first_arrival_at, accepted_arrival_at, deadline, judged_at) -%}
    case
        when {{ accepted_arrival_at }} <= {{ judged_at }} then
            case when {{ accepted_arrival_at }} <= {{ deadline }} then 'on_time' else 'late' end
        when {{ judged_at }} <= {{ deadline }} then 'not_due'
        when {{ first_arrival_at }} <= {{ judged_at }} then 'rejected'
        else 'missing'
    end
{%- endmacro %}

{#- The moment statuses are judged at: var `compliance_judged_at` (an ISO timestamp, for unit
    tests and rebuilding a past day), else the time of the build. -#}
{% macro compliance_judged_at() -%}
    {%- set judged_at = var('compliance_judged_at', none) -%}
    {%- if judged_at -%}
        cast('{{ judged_at }}' as timestamptz)
    {%- else -%}
        cast(current_timestamp as timestamptz)
    {%- endif -%}
{%- endmacro %}

{#- Contract 6.3: each province on CURRENT boundaries against the same period last year, for
    periods where its current-boundary figure is complete (every former province reported).
    Last year's figure before the 2025 merger is the sum of the old provinces (the roll-up);
    the _prev columns and the changes are null when last year's figure is incomplete. -#}
with figures as (

    select
        complete.*,
        completed + terminated as done,
        {{ rate_pct('completed', 'terminated', 'with_conditions') }} as rate_pct,
        case
            when must_enforce > 0 then 100.0 * with_conditions / must_enforce
        end as with_conditions_share_pct
    from ({{ complete_current_figures() }}) as complete

),

provinces as (

    select province_code, province_name
    from {{ ref('dim_province') }}
    where boundary = {{ var('current_boundary') }}

)

select
    {{ period_key('this_year.statistical_year', 'this_year.months') }} as period_key,
    this_year.statistical_year,
    this_year.months,
    this_year.measure,
    this_year.province_code,
    provinces.province_name,
    this_year.must_enforce,
    this_year.with_conditions,
    this_year.completed,
    this_year.done,
    this_year.rate_pct,
    this_year.with_conditions_share_pct,
    last_year.must_enforce as must_enforce_prev,
    last_year.with_conditions as with_conditions_prev,
    last_year.completed as completed_prev,
    last_year.done as done_prev,
    last_year.rate_pct as rate_pct_prev,
    last_year.with_conditions_share_pct as with_conditions_share_pct_prev,
    this_year.done - last_year.done as done_change,
    case
        when last_year.done > 0 then 100.0 * (this_year.done - last_year.done) / last_year.done
    end as done_change_pct,
    this_year.rate_pct - last_year.rate_pct as rate_change_pp
from figures as this_year
left join figures as last_year
    on last_year.statistical_year = this_year.statistical_year - 1
    and last_year.months = this_year.months
    and last_year.measure = this_year.measure
    and last_year.province_code = this_year.province_code
left join provinces on provinces.province_code = this_year.province_code

{#- The periods the HTML report can show (every period with a ranking), latest first. -#}
with ranked_periods as (

    select distinct statistical_year, months from {{ ref('fct_province_ranking') }}

)

select
    {{ period_key('ranked_periods.statistical_year', 'ranked_periods.months') }} as period_key,
    ranked_periods.statistical_year,
    ranked_periods.months,
    periods.boundary,
    periods.n_expected,
    periods.period_start,
    periods.period_end
from ranked_periods
inner join {{ ref('dim_period') }} as periods
    using (statistical_year, months)
order by ranked_periods.statistical_year desc, ranked_periods.months desc

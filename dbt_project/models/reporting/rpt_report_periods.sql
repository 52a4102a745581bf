{#- The periods the HTML report can show (every period with a ranking), latest first, with
    how many provinces' figures are final (contract section 7: "Số liệu sơ bộ/chính thức"). -#}
with ranked_periods as (

    select
        statistical_year,
        months,
        count(*) filter (where has_report) as n_reported,
        count(*) filter (where has_report and figure_status = 'final') as n_final,
        max(approved_at) as last_approved_at
    from {{ ref('fct_province_ranking') }}
    where measure = 'cases'  -- one row per province and period
    group by statistical_year, months

)

select
    {{ period_key('ranked_periods.statistical_year', 'ranked_periods.months') }} as period_key,
    ranked_periods.statistical_year,
    ranked_periods.months,
    periods.boundary,
    periods.n_expected,
    periods.period_start,
    periods.period_end,
    ranked_periods.n_reported,
    ranked_periods.n_final,
    ranked_periods.last_approved_at
from ranked_periods
inner join {{ ref('dim_period') }} as periods
    using (statistical_year, months)
order by ranked_periods.statistical_year desc, ranked_periods.months desc

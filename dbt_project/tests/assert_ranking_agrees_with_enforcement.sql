-- The ranking and the enforcement facts tell the same story: a province has a report in the
-- ranking exactly when it has a row in fct_enforcement, with the same figures.
select
    coalesce(r.statistical_year, e.statistical_year) as statistical_year,
    coalesce(r.months, e.months) as months,
    coalesce(r.measure, e.measure) as measure,
    coalesce(r.province_code, e.province_code) as province_code
from (select * from {{ ref('fct_province_ranking') }} where has_report) as r
full outer join {{ ref('fct_enforcement') }} as e
    on r.statistical_year = e.statistical_year
    and r.months = e.months
    and r.measure = e.measure
    and r.province_code = e.province_code
where r.province_code is null
    or e.province_code is null
    or r.completed <> e.completed
    or r.terminated <> e.terminated
    or r.with_conditions <> e.with_conditions
    or r.rate_pct is distinct from e.rate_pct

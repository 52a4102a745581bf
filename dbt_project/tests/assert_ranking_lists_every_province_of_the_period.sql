-- Each ranked period lists every province of its boundary set exactly once per measure:
-- 63 rows through the 8-month report of 2025, 34 rows from the 9-month report on.
select
    statistical_year,
    months,
    measure,
    count(*) as n_rows,
    min(n_expected) as n_expected
from {{ ref('fct_province_ranking') }}
group by statistical_year, months, measure
having count(*) <> min(n_expected) or min(n_expected) <> max(n_expected)

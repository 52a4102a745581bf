"""The HTML report: numbers as the marts hold them, Vietnamese formats, escaping, no network.

Runs on the session's warehouse built by the real dbt project (tests/real_warehouse.py)."""

from __future__ import annotations

import math
import re
from pathlib import Path

import duckdb
import pytest

from tests.publish_html import body_rows, parse_report
from tests.real_warehouse import HOSTILE_REASON, SKIPPED_PROVINCE, ZERO_MONEY
from thads import contract, reference
from thads.build import build
from thads.config import Paths
from thads.publish import publish
from thads.publish.report import fmt, selectable_periods, tilemap
from thads.publish.report.data import load
from thads.publish.snapshot import open_snapshot


@pytest.fixture(scope="module")
def published(real_warehouse: Paths) -> Paths:
    return real_warehouse


@pytest.fixture(scope="module")
def html(published: Paths) -> str:
    return published.report.read_text(encoding="utf-8")


def _query(paths: Paths, sql: str, params: list | None = None) -> list[tuple]:
    con = open_snapshot(paths.snapshot)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


# --- Vietnamese number formats (domain.md, "Numbers as Vietnamese documents write them") ---


@pytest.mark.parametrize(
    ("value", "decimals", "text"),
    [
        (1529, 0, "1.529"),
        (5513, 0, "5.513"),
        (404_438_921_000, 0, "404.438.921.000"),
        (93.2, 1, "93,2"),
        (620657, 0, "620.657"),
        (0, 0, "0"),
        (-0.0001, 2, "0,00"),
        (None, 0, "—"),
        (math.nan, 2, "—"),
    ],
)
def test_numbers_use_dot_groups_and_comma_decimals(value, decimals, text):
    assert fmt.number(value, decimals) == text


def test_rates_gaps_and_money():
    assert fmt.pct(81.55) == "81,55%"
    assert fmt.pct(1529 * 100 / 1875) == "81,55%"  # seed 001: Cần Giuộc
    assert fmt.pct(83.88) == "83,88%"
    assert fmt.points(81.55 - 81.5) == "+0,05"  # seed 001: "vượt 0,05%"
    assert fmt.points(-3.96) == "-3,96"
    assert fmt.points(0) == "0,00"
    assert fmt.billions(93_200_000) == "93,2"  # thousands of đồng -> tỷ đồng
    assert fmt.billions(3_343_000_000, 0) == "3.343"
    assert fmt.period_label(2025, 9) == "9 tháng năm 2025"


# --- What the report shows ----------------------------------------------------------------


def test_period_selector_lists_latest_first(published: Paths, html: str):
    report = parse_report(html)
    periods = _query(
        published,
        "SELECT DISTINCT statistical_year, months FROM marts.fct_province_ranking "
        "ORDER BY 1 DESC, 2 DESC",
    )
    latest_year = periods[0][0]
    last_of_year = {}
    for y, m in periods:
        last_of_year.setdefault(y, m)
    expected = [
        f"{y}-{m:02d}"
        for y, m in periods
        if y > latest_year - 2 or last_of_year[y] == m  # older years: their last report
    ]
    assert report.options == expected
    assert list(report.sections) == expected
    # Only the latest is visible before any JavaScript runs.
    assert [k for k, s in report.sections.items() if not s.hidden] == [expected[0]]


@pytest.mark.parametrize("period", ["2025-12", "2025-08", "2024-12", "2024-06"])
@pytest.mark.parametrize("measure", contract.MEASURES)
def test_ranking_tables_match_the_mart(published: Paths, html: str, period: str, measure: str):
    year, months = map(int, period.split("-"))
    mart = _query(
        published,
        """
        SELECT r.rank_label, d.short_name, r.rate_pct, r.target_pct, r.gap_pp,
            r.with_conditions
        FROM marts.fct_province_ranking r
        JOIN marts.dim_province d USING (province_code, boundary)
        WHERE statistical_year = ? AND months = ? AND measure = ?
        ORDER BY r.rank NULLS LAST, r.rate_pct DESC NULLS LAST, r.province_name
        """,
        [year, months, measure],
    )
    rows = body_rows(parse_report(html).sections[period].tables[measure])
    assert len(rows) == len(mart) == contract.boundary_for(year, months)
    for row, (label, short, rate, target, gap, with_cond) in zip(rows, mart, strict=True):
        assert row[0] == (label or "—")
        assert row[1].startswith(short)
        if with_cond is None:
            assert row[2] == "chưa báo cáo"
        elif rate is None:
            assert row[4] == "không có điều kiện"
        else:
            assert row[4] == fmt.pct(rate)
            assert re.fullmatch(r"\d{1,3},\d{2}%", row[4])
        assert row[-2] == fmt.pct(target)
        assert row[-1] == fmt.points(gap)


def test_rank_labels_read_like_the_articles(html: str):
    sections = parse_report(html).sections
    latest = body_rows(sections["2025-12"].tables["cases"])
    assert latest[0][0] == "1/33"  # 34 provinces, one did not report
    old = body_rows(sections["2024-12"].tables["cases"])
    assert old[0][0] == "1/63"
    labels = [r[0] for r in old]
    assert len(labels) != len(set(labels)), "the fixture's tie must show as a shared rank"


def test_unreported_and_zero_condition_provinces_are_shown_not_ranked(published: Paths, html):
    sections = parse_report(html).sections
    name = reference.province_by_code(34)[SKIPPED_PROVINCE].short_name
    row = next(r for r in body_rows(sections["2025-12"].tables["cases"]) if r[1] == name)
    assert row[0] == "—" and row[2] == "chưa báo cáo"
    code, year, months = ZERO_MONEY
    name = reference.province_by_code(63)[code].short_name
    key = f"{year}-{months:02d}"
    row = next(r for r in body_rows(sections[key].tables["money"]) if r[1] == name)
    assert row[0] == "—" and row[4] == "không có điều kiện"


def test_trend_charts_plot_each_year_against_the_national_target(published: Paths, html):
    report = parse_report(html)
    assert len(report.trend_svgs) == 2
    for measure, titles in zip(contract.MEASURES, report.trend_svgs, strict=True):
        national = _query(
            published,
            """
            SELECT statistical_year, rate_pct, national_target_pct FROM marts.fct_national_summary
            WHERE measure = ? QUALIFY months = max(months) OVER (PARTITION BY statistical_year)
            ORDER BY statistical_year
            """,
            [measure],
        )
        assert [y for y, _, _ in national] == list(range(2019, 2026))
        # The national targets seed has the years the domain brief gives (2024, 2025).
        assert [y for y, _, target in national if target is not None] == [2024, 2025]
        for year, rate, target in national:
            assert f"Tỷ lệ thực hiện — {year}: {fmt.pct(rate)}" in titles
            if target is not None:
                assert f"Chỉ tiêu toàn quốc — {year}: {fmt.pct(target)}" in titles


def test_merger_is_explained_where_it_applies(published: Paths, html: str):
    sections = parse_report(html).sections
    after, before_2025, before = (
        " ".join(sections[k].text) for k in ("2025-12", "2025-08", "2024-12")
    )
    assert "34 tỉnh, thành phố (Nghị quyết 202/2025/QH15)" in after
    assert "xếp hạng trong 63 tỉnh" in before_2025
    assert "Nghị quyết 202/2025/QH15" not in before
    # Tây Ninh (80) after the merger carries the legacy provinces it absorbed.
    legacy = [
        name
        for (name,) in _query(
            published,
            "SELECT short_name FROM marts.dim_province WHERE boundary = 63 "
            "AND current_province_code = '80' ORDER BY province_code",
        )
    ]
    assert len(legacy) == 2
    rows = body_rows(sections["2025-12"].tables["cases"])
    tay_ninh = next(r for r in rows if r[1].startswith("Tây Ninh"))
    assert tay_ninh[1] == f"Tây Ninh gồm {', '.join(legacy)}"
    assert f"({'80'}) ← {', '.join(legacy)}" in html


def test_province_text_is_escaped(html: str):
    assert HOSTILE_REASON not in html
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert parse_report(html).scripts == 1  # only the period selector


def test_report_needs_no_network(html: str):
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", html, re.I)
    assert "<link" not in html.lower()
    assert "@import" not in html and "url(" not in html


def test_quality_counts_match_the_submissions(published: Paths):
    con = open_snapshot(published.snapshot)
    try:
        report = load(con)
    finally:
        con.close()
    total = _query(
        published,
        "SELECT count(*), count(*) FILTER (status = 'quarantined') FROM marts.fct_submissions",
    )[0]
    assert sum(q.files for q in report.quality) == total[0]
    assert sum(q.quarantined for q in report.quality) == total[1]
    keys = [(q.boundary, q.province_code) for q in report.quality]
    assert len(keys) == len(set(keys))
    # Legacy Lào Cai (10) and the current Lào Cai (15, with Yên Bái) are two rows.
    lao_cai = {
        (q.boundary, q.province_code) for q in report.quality if "Lào Cai" in q.province_name
    }
    assert {(63, "10"), (34, "15")} <= lao_cai
    unknown = [q for q in report.quality if q.province_code is None]
    assert len(unknown) == 1 and unknown[0].quarantined == 1
    warnings = _query(
        published,
        "SELECT count(*) FROM marts.fct_data_quality "
        "WHERE outcome = 'fail' AND severity = 'warning'",
    )[0][0]
    assert sum(q.warnings for q in report.quality) == warnings > 0


def test_selectable_periods_keep_recent_months_and_older_year_ends(published: Paths):
    con = open_snapshot(published.snapshot)
    try:
        periods = load(con).periods
    finally:
        con.close()
    kept = [p.key for p in selectable_periods(periods)]
    assert kept[:4] == ["2025-12", "2025-09", "2025-08", "2025-03"]
    assert "2024-06" in kept and "2023-06" not in kept and "2023-12" in kept


# --- The tile map --------------------------------------------------------------------------


@pytest.mark.parametrize("boundary", [63, 34])
def test_tile_map_keeps_geography_and_gives_every_province_a_cell(boundary: int):
    provinces = reference.provinces(boundary)
    cells = tilemap.layout({p.code: (p.lat, p.lon) for p in provinces}, 0.6)
    assert len(cells) == len(provinces)
    assert len(set(cells.values())) == len(provinces)
    row = {code: r for code, (c, r) in cells.items()}
    col = {code: c for code, (c, r) in cells.items()}
    by_name = {p.short_name: p.code for p in provinces}
    north_to_south = ["Cao Bằng", "Hà Nội", "Đà Nẵng", "Hồ Chí Minh", "Cà Mau"]
    rows = [row[by_name[n]] for n in north_to_south]
    assert rows == sorted(rows) and len(set(rows)) == len(rows)
    assert col[by_name["Điện Biên"]] < col[by_name["Quảng Ninh"]]


@pytest.mark.parametrize("boundary", [63, 34])
def test_tile_labels_are_unique(boundary: int):
    labels = tilemap.abbreviations({p.code: p.short_name for p in reference.provinces(boundary)})
    assert len(set(labels.values())) == len(labels)
    by_name = {p.short_name: labels[p.code] for p in reference.provinces(boundary)}
    assert by_name["Hồ Chí Minh"] == "HCM"


def test_each_period_has_a_map_per_measure(html: str):
    for key, section in parse_report(html).sections.items():
        assert section.svgs == 2, key
    assert html.count('class="tile"') >= 2 * 63


def test_report_path_is_the_documented_one(published: Paths):
    assert published.report == published.home / "serving" / "report" / "index.html"
    assert Path(published.report).stat().st_size > 10_000


def test_an_empty_warehouse_publishes_a_report_that_says_so(tmp_path: Path):
    """A fresh install: dbt built the marts from an empty raw layer, no report loaded yet."""
    paths = Paths(tmp_path / "home")
    build(paths, docs=False)
    with duckdb.connect(str(paths.warehouse), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM marts.fct_province_ranking").fetchone() == (0,)
    publish(paths)
    html = paths.report.read_text(encoding="utf-8")
    report = parse_report(html)
    assert report.sections == {} and report.options == []
    assert html.count("chưa có dữ liệu") == 2  # both trend charts


# --- The reporting cycle (contract 6): compliance and traffic lights -------------------------


def _period_html(html: str, key: str) -> str:
    start = html.index(f'id="p{key}"')
    return html[start : html.index("</section>", start)]


def test_compliance_block_lists_who_was_late_or_missing(published: Paths, html: str) -> None:
    latest = _period_html(html, "2025-12")
    statuses = {
        code: status
        for code, status in _query(
            published,
            "select province_code, status from marts.fct_reporting_compliance "
            "where statistical_year = 2025 and months = 12",
        )
    }
    assert statuses[SKIPPED_PROVINCE] == "missing"
    block = latest[latest.index('id="compliance-2025-12"') :]
    listed = dict(re.findall(r'data-province="(\d\d)" data-status="(\w+)"', block))
    assert listed == {c: s for c, s in statuses.items() if s in ("late", "rejected", "missing")}
    assert "Tình hình gửi báo cáo — hạn 06/10/2025" in block  # Tue 30/9: Wed 1 .. Mon 6/10
    ((rate, on_time, n_expected),) = _query(
        published,
        "select reporting_rate_pct, on_time_rate_pct, n_expected from marts.fct_reporting_rates "
        "where statistical_year = 2025 and boundary = 34 and province_code = 'VN'",
    )
    assert f"tỷ lệ báo cáo {fmt.pct(rate)}, đúng hạn {fmt.pct(on_time)}" in block
    assert f"trên {n_expected} báo cáo" in block


def test_ranking_rows_carry_the_scorecard_light(published: Paths, html: str) -> None:
    latest = _period_html(html, "2025-12")
    table = latest[latest.index('data-measure="cases"') :]
    table = table[: table.index("</table>")]
    shown = {
        code: light
        for code, light in re.findall(
            r'data-province="(\d\d)">(?:(?!</tr>).)*?class="light (\w+)"', table, re.S
        )
    }
    marts = dict(
        _query(
            published,
            "select province_code, scorecard from marts.fct_province_ranking "
            "where statistical_year = 2025 and months = 12 and measure = 'cases' "
            "and scorecard is not null",
        )
    )
    assert shown == marts
    assert len(set(marts.values())) >= 2, marts  # the fixture has provinces on both sides


# --- Comparison with last year and per-province trends (issue 15 item 6) -------------------


def _table_cells(html: str, attribute: str) -> dict[str, list[str]]:
    """province code -> the texts of its cells, of the first table carrying `attribute`."""
    table = html[html.index(attribute) :]
    table = table[: table.index("</table>")]
    return {
        code: [
            re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row)
        ]
        for code, row in re.findall(r'<tr data-province="(\d\d)">(.*?)</tr>', table, re.S)
    }


def test_change_is_worded_as_the_articles_word_it():
    assert fmt.change(267, 7.0, "cases") == "tăng 267 việc, tương ứng 7,00%"
    assert fmt.change(-1529, -12.345, "cases") == "giảm 1.529 việc, tương ứng 12,35%"
    assert fmt.change(53_757_628, 7.0, "money") == "tăng 53,8 tỷ đồng, tương ứng 7,00%"
    assert fmt.change(0, 0.0, "cases") == "không đổi"
    assert fmt.change(12, None, "cases") == "tăng 12 việc"  # last year nothing was done
    assert fmt.change(None, None, "money") == "—"


@pytest.mark.parametrize("period", ["2025-12", "2024-12"])
@pytest.mark.parametrize("measure", contract.MEASURES)
def test_comparison_with_last_year_matches_the_mart(
    published: Paths, html: str, period: str, measure: str
) -> None:
    """Every current province against the same period last year (on 34 boundaries, the old
    provinces summed before the merger), in Vietnamese words, as fct_province_comparison
    holds it; 2025-12 is compared with 2024-12, across the merger."""
    year, months = (int(x) for x in period.split("-"))
    block = _period_html(html, period)
    assert f"So sánh với cùng kỳ năm trước ({fmt.period_label(year - 1, months)})" in block
    shown = _table_cells(block, f'data-comparison="{measure}"')
    mart = _query(
        published,
        "select province_code, done, done_prev, done_change, done_change_pct, rate_pct, "
        "rate_pct_prev, rate_change_pp from marts.fct_province_comparison "
        "where statistical_year = ? and months = ? and measure = ?",
        [year, months, measure],
    )
    # a province with no complete figure this year (the one that did not report) has no row
    assert len(shown) == len(mart) >= reference.CURRENT - 1
    amount = fmt.billions if measure == "money" else fmt.number
    for code, done, prev, change, change_pct, rate, rate_prev, change_pp in mart:
        cells = shown[code]
        assert cells[1:3] == [amount(done), amount(prev)], code
        if prev is None:
            assert cells[3] == "chưa đủ số liệu cùng kỳ"
        else:
            assert cells[3] == fmt.change(change, change_pct, measure), code
        assert cells[4:] == [fmt.pct(rate), fmt.pct(rate_prev), fmt.points(change_pp)], code
    compared = [row for row in mart if row[2] is not None]
    assert len(compared) >= reference.CURRENT - 2  # the fixture reports nearly every year
    assert {cells[3].split()[0] for cells in shown.values()} & {"tăng", "giảm"}
    # Largest rise in the rate first.
    changes = {code: pp for code, *_, pp in mart}
    ranked = [c for c in shown if changes[c] is not None]  # dicts keep the printed order
    assert [changes[c] for c in ranked] == sorted((changes[c] for c in ranked), reverse=True)


def test_province_trends_show_both_views_of_the_merger(published: Paths, html: str) -> None:
    """The rate per statistical year for the 34 current provinces (history summed from the
    old ones, as fct_province_ranking_current_boundaries has it) and for the 63 old ones up
    to the 8-month report of 2025 (fct_province_ranking on 63)."""
    section = html[html.index('<section id="province-trends"') :]
    section = section[: section.index("</section>")]
    views = {
        boundary: section[section.index(f'id="trend-{boundary}"') :]
        for boundary in (reference.CURRENT, reference.LEGACY)
    }
    assert section.index('id="trend-34"') < section.index('id="trend-63"')
    assert "Xu hướng theo tỉnh, thành phố" in section
    assert f"đến báo cáo {fmt.period_label(2025, 8)}" in views[reference.LEGACY]
    for boundary, mart, last in (
        (reference.CURRENT, "fct_province_ranking_current_boundaries", (2025, 12)),
        (reference.LEGACY, "fct_province_ranking", (2025, 8)),
    ):
        for measure in contract.MEASURES:
            shown = _table_cells(views[boundary], f'data-trend="{measure}"')
            assert len(shown) == boundary
            head = views[boundary][views[boundary].index(f'data-trend="{measure}"') :]
            head = head[: head.index("</thead>")]
            years = re.findall(r'<th class="num">([^<]+)</th>', head)
            expected_last = "2025" if last[1] == 12 else f"2025 ({last[1]} th)"
            assert years == [*map(str, range(2019, 2025)), expected_last]
            points = [(y, 12) for y in range(2019, 2025)] + [last]
            rows = _query(
                published,
                f"select province_code, statistical_year, rate_pct from marts.{mart} "
                "where boundary = ? and measure = ? and (statistical_year, months) in "
                f"({', '.join(f'({y}, {m})' for y, m in points)})",
                [boundary, measure],
            )
            rates = {(code, year): rate for code, year, rate in rows}
            for code, cells in shown.items():
                assert cells[1:] == [fmt.pct(rates[(code, y)], 1) for y, _ in points], code

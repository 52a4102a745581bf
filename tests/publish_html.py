"""Read the published report back (as written, or as Chromium rendered it) for the tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Section:
    key: str
    hidden: bool
    tables: dict[str, list[list[str]]] = field(default_factory=dict)  # measure -> rows
    svgs: int = 0
    text: list[str] = field(default_factory=list)


class ReportParser(HTMLParser):
    """Collects, per period section: its ranking tables' cell texts, SVG count and text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.sections: dict[str, Section] = {}
        self.options: list[str] = []
        self.trend_svgs: list[list[str]] = []  # per trend chart: its <title> texts
        self.scripts = 0
        self._section: Section | None = None
        self._depth = 0
        self._measure: str | None = None
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._in_trend = False
        self._svg_titles: list[str] | None = None
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "script":
            self.scripts += 1
        if tag == "option":
            self.options.append(a.get("value") or "")
        if tag == "section":
            if a.get("id") == "trend":
                self._in_trend = True
            if "period" in (a.get("class") or "").split():
                key = a.get("data-period") or ""
                self._section = Section(key, "hidden" in a)
                self.sections[key] = self._section
                self._depth = 0
        if self._section is not None and tag == "section":
            self._depth += 1
        if tag == "svg":
            if self._section is not None:
                self._section.svgs += 1
            if self._in_trend:
                self._svg_titles = []
        if tag == "title" and self._svg_titles is not None:
            self._in_title = True
        if tag == "table" and "ranking" in (a.get("class") or "") and self._section:
            self._measure = a.get("data-measure")
            self._section.tables[self._measure or ""] = []
        if tag == "tr" and self._measure is not None:
            self._row = []
        if tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        if tag == "tr" and self._row is not None:
            if self._row and self._section and self._measure is not None:
                self._section.tables[self._measure].append(self._row)
            self._row = None
        if tag == "table":
            self._measure = None
        if tag == "title":
            self._in_title = False
        if tag == "svg" and self._svg_titles is not None:
            self.trend_svgs.append(self._svg_titles)
            self._svg_titles = None
        if tag == "section":
            if self._section is not None:
                self._depth -= 1
                if self._depth == 0:
                    self._section = None
            else:
                self._in_trend = False

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
        if self._in_title and self._svg_titles is not None:
            self._svg_titles.append(data)
        if self._section is not None:
            self._section.text.append(data)


def parse_report(html: str) -> ReportParser:
    parser = ReportParser()
    parser.feed(html)
    parser.close()
    return parser


def body_rows(rows: list[list[str]]) -> list[list[str]]:
    """Drop the header row (the one made of <th>)."""
    return [r for r in rows if r and r[0] != "Hạng"]

"""The rule catalogue: every rule a submission or targets file can be held to, in one place.

Each rule has a stable id (stored in `raw/data_quality`, charted in BI, quoted in the
reasons of a quarantined file: renaming one breaks history, so add new ids instead), a
severity (`error` quarantines, `warning` loads), and its wording twice: English for the data
team, Vietnamese for the province office that must fix its report. The `title` is the
rule's name in a list; the `text` says what the rule requires.

Who reads this catalogue:
- parsing (`ingest/`) and targets files: `contract.Finding` refuses an id that is not here
  or a severity that differs from the catalogue's;
- validation (`expectations/`): each Great Expectations expectation is named and described
  by its rule's text, so Data Docs read as rules;
- province messages (`thads.notify.messages`) and `thads check --lang vi`: the Vietnamese
  title, and `observed_vi`/`expected_vi` where the finding's own values are English words.

`observed_vi`/`expected_vi` are `str.format` templates over `observed`, `expected` (the
finding's values), `nums` (the numbers in `expected`, written the Vietnamese way) and
`boundary` (63 or 34, the boundary set of the report's period).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from thads.contract import IDENTITIES, Severity

#: Where a rule is checked: while reading a file (ingest), in the Great Expectations suite
#: (validation), in a targets file, or against the approval state when a file is committed
#: (`thads.approval`, contract section 7).
Stage = Literal["parse", "validation", "targets", "approval"]


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Severity
    stage: Stage
    title_en: str
    title_vi: str
    text_en: str
    text_vi: str
    observed_vi: str | None = None
    expected_vi: str | None = None

    @property
    def name(self) -> str:  # the id under its older name, for readers written before
        return self.id

    @property
    def group(self) -> str:
        """`parse`, `identity`, `history`, `targets`, ...: the id's prefix."""
        return self.id.split(".", 1)[0]

    def title(self, lang: str) -> str:
        return self.title_vi if lang == "vi" else self.title_en

    def text(self, lang: str) -> str:
        return self.text_vi if lang == "vi" else self.text_en


def _catalogue(*items: Rule) -> dict[str, Rule]:
    out: dict[str, Rule] = {}
    for item in items:
        if item.id in out:
            raise RuntimeError(f"rule {item.id!r} is defined twice in the catalogue")
        out[item.id] = item
    return out


_A_NUMBER_VI = "một số (ví dụ 1.529 hoặc 93,2)"

RULES: dict[str, Rule] = _catalogue(
    # --- Reading a submission file (ingest) -------------------------------------------------
    Rule(
        "parse.bad_filename", "error", "parse",
        "file name does not follow the contract",
        "Tên tệp không theo quy định THADS_<mã tỉnh>_<năm>_<số tháng>",
        "The file name is THADS_<province_code>_<year>_<MM>[_rN].<xlsx|csv|json> (CSV: "
        "..._viec.csv and ..._tien.csv).",
        "Tên tệp phải có dạng THADS_<mã tỉnh>_<năm thống kê>_<số tháng, hai chữ số>[_rN]"
        ".<xlsx|csv|json> (CSV: ..._viec.csv và ..._tien.csv).",
    ),
    Rule(
        "parse.missing_pair", "error", "parse",
        "one file of the CSV pair is missing",
        "Thiếu một trong hai tệp CSV (_viec.csv và _tien.csv)",
        "A CSV submission is two files sent together: ..._viec.csv (cases) and ..._tien.csv "
        "(money).",
        "Báo cáo dạng CSV gồm hai tệp gửi cùng nhau: ..._viec.csv (việc) và ..._tien.csv "
        "(tiền).",
        observed_vi="không có tệp này trong lần gửi",
    ),
    Rule(
        "parse.missing_sheet", "error", "parse",
        "a required sheet is missing",
        "Thiếu sheet bắt buộc (Việc, Tiền)",
        "An Excel report has the sheets 'Việc' and 'Tiền'; a JSON report the arrays 'cases' "
        "and 'money'.",
        "Báo cáo Excel phải có hai sheet 'Việc' và 'Tiền'; báo cáo JSON phải có hai mảng "
        "'cases' và 'money'.",
    ),
    Rule(
        "parse.missing_header", "error", "parse",
        "no header row of column labels",
        "Không tìm thấy dòng tiêu đề cột theo mẫu",
        "Each sheet has one header row with the contract's column labels.",
        "Mỗi sheet phải có một dòng tiêu đề cột theo mẫu (Đơn vị, Năm trước chuyển sang, ...).",
    ),
    Rule(
        "parse.missing_column", "error", "parse",
        "a column of the form is missing",
        "Thiếu cột theo mẫu",
        "Every column of the official form is present.",
        "Báo cáo phải có đủ các cột theo mẫu.",
        observed_vi="không có cột này",
    ),
    Rule(
        "parse.duplicate_column", "error", "parse",
        "a column appears twice",
        "Một cột xuất hiện hai lần",
        "Each column of the form appears once.",
        "Mỗi cột theo mẫu chỉ xuất hiện một lần.",
    ),
    Rule(
        "parse.not_a_number", "error", "parse",
        "a figure is not a number",
        "Ô số liệu không phải là số",
        "A figure is a number (plain, or Vietnamese style such as 1.529 or 93,2) or blank.",
        "Ô số liệu phải là số (ví dụ 1.529 hoặc 93,2) hoặc để trống.",
        expected_vi=_A_NUMBER_VI,
    ),
    Rule(
        "parse.blank_office", "error", "parse",
        "a row of figures has no office name",
        "Dòng số liệu không có tên đơn vị",
        "Each row of figures names its office in the column 'Đơn vị'.",
        "Mỗi dòng số liệu phải ghi tên đơn vị ở cột 'Đơn vị'.",
    ),
    Rule(
        "parse.duplicate_office", "error", "parse",
        "an office is reported twice",
        "Một đơn vị được báo cáo hai lần",
        "Each office has one row in a sheet.",
        "Mỗi đơn vị chỉ được báo cáo một dòng trong một sheet.",
    ),
    Rule(
        "parse.missing_total_row", "error", "parse",
        "the total row is missing",
        "Thiếu dòng tổng cộng",
        "The office rows end with a total row ('Tổng cộng', 'Tổng số' or 'Toàn tỉnh').",
        "Sau các dòng đơn vị phải có dòng tổng ('Tổng cộng', 'Tổng số' hoặc 'Toàn tỉnh').",
        observed_vi="hết sheet mà không có dòng tổng",
    ),
    Rule(
        "parse.rows_after_total", "warning", "parse",
        "figures after the total row are not read",
        "Có dòng số liệu sau dòng tổng cộng (không được đọc)",
        "Rows with figures below the total row are not part of the report and are not read.",
        "Các dòng có số liệu nằm dưới dòng tổng cộng không thuộc báo cáo và không được đọc.",
    ),
    Rule(
        "parse.header_code_mismatch", "error", "parse",
        "the province code in the report differs from the file name",
        "Mã tỉnh ở phần đầu báo cáo khác mã tỉnh trong tên tệp",
        "The province code in the report ('Mã tỉnh: NN' or province_code) is the one in the "
        "file name.",
        "Mã tỉnh ghi trong báo cáo ('Mã tỉnh: NN' hoặc province_code) phải trùng với mã tỉnh "
        "trong tên tệp.",
    ),
    Rule(
        "parse.header_missing_code", "warning", "parse",
        "the header block has no province code",
        "Phần đầu báo cáo không có dòng 'Mã tỉnh: NN'",
        "The header block has a 'Mã tỉnh: NN' line to check the file name against.",
        "Phần đầu báo cáo nên có dòng 'Mã tỉnh: NN' để đối chiếu với tên tệp.",
    ),
    Rule(
        "parse.header_period_mismatch", "error", "parse",
        "the period in the report differs from the file name",
        "Kỳ báo cáo ở phần đầu báo cáo khác kỳ trong tên tệp",
        "The period in the report (header block, or statistical_year and months) is the one "
        "in the file name.",
        "Kỳ báo cáo ghi trong báo cáo (phần đầu, hoặc statistical_year và months) phải trùng "
        "với kỳ trong tên tệp.",
    ),
    Rule(
        "parse.header_unit_mismatch", "error", "parse",
        "the unit of the sheet is wrong",
        "Đơn vị tính không đúng (Việc: việc; Tiền: nghìn đồng)",
        "The cases sheet counts cases ('việc'); the money sheet thousands of đồng "
        "('nghìn đồng').",
        "Sheet Việc tính bằng 'việc'; sheet Tiền tính bằng 'nghìn đồng'.",
    ),
    Rule(
        "parse.bad_encoding", "error", "parse",
        "the file is not UTF-8 text",
        "Tệp không đọc được theo bảng mã UTF-8",
        "CSV files are UTF-8 text (with or without BOM).",
        "Tệp CSV phải được lưu theo bảng mã UTF-8 (có hoặc không có BOM).",
    ),
    Rule(
        "parse.not_xlsx", "error", "parse",
        "not a readable Excel workbook",
        "Tệp không phải là tệp Excel (.xlsx) hợp lệ",
        "An .xlsx file is an Excel workbook that can be opened.",
        "Tệp .xlsx phải là sổ tính Excel mở được.",
    ),
    Rule(
        "parse.unreadable", "error", "parse",
        "the file cannot be read",
        "Không đọc được tệp",
        "The file can be opened and read.",
        "Tệp phải mở và đọc được.",
    ),
    Rule(
        "parse.unreadable_sheet", "error", "parse",
        "a sheet cannot be read",
        "Không đọc được sheet",
        "Each required sheet can be read.",
        "Các sheet bắt buộc phải đọc được.",
    ),
    Rule(
        "parse.no_rows", "error", "parse",
        "no figures could be read",
        "Không đọc được số liệu nào từ báo cáo",
        "A report has at least one row of figures.",
        "Báo cáo phải có ít nhất một dòng số liệu.",
    ),
    Rule(
        "parse.invalid_json", "error", "parse",
        "not a valid JSON report",
        "Tệp JSON không hợp lệ (không đọc được hoặc sai cấu trúc)",
        "A JSON report is UTF-8 JSON: one object whose 'cases' and 'money' are arrays of row "
        "objects.",
        "Báo cáo JSON phải là văn bản JSON theo bảng mã UTF-8: một đối tượng, trong đó "
        "'cases' và 'money' là các mảng gồm các dòng.",
    ),
    Rule(
        "parse.missing_field", "error", "parse",
        "a required JSON field is missing",
        "Tệp JSON thiếu trường bắt buộc",
        "A JSON report has the fields province_code, statistical_year and months.",
        "Báo cáo JSON phải có các trường province_code, statistical_year và months.",
    ),
    Rule(
        "parse.bad_submitted_at", "warning", "parse",
        "submitted_at is not a time with a UTC offset",
        "Thời điểm gửi (submitted_at) không đúng định dạng",
        "submitted_at is an ISO 8601 time with a UTC offset, e.g. 2024-09-03T08:15:00+07:00.",
        "Trường submitted_at phải là thời điểm theo ISO 8601 có múi giờ, ví dụ "
        "2024-09-03T08:15:00+07:00.",
    ),
    Rule(
        "parse.limit_exceeded", "error", "parse",
        "the file exceeds a reading limit",
        "Tệp vượt quá giới hạn cho phép khi đọc",
        "A report stays within the reading limits (file size, sheet size, rows, columns, "
        "cell length, nesting, digits, reading time and memory; ingest.limits).",
        "Báo cáo phải nằm trong giới hạn đọc (dung lượng tệp, kích thước sheet, số dòng, số "
        "cột, độ dài ô, độ lồng nhau, số chữ số, thời gian và bộ nhớ khi đọc).",
    ),
    Rule(
        "parse.reader_failed", "error", "parse",
        "the file could not be read",
        "Không đọc được nội dung tệp (lỗi khi đọc)",
        "The reader can read the file to the end.",
        "Tệp phải đọc được đến hết.",
    ),
    Rule(
        "parse.not_regular_file", "error", "parse",
        "not a regular file in the landing zone",
        "Không phải là tệp thông thường trong thư mục nhận (liên kết, thư mục, thiết bị)",
        "Only regular files directly in the landing zone are read: no links, folders or "
        "devices.",
        "Chỉ đọc các tệp thông thường nằm trực tiếp trong thư mục nhận: không đọc liên kết, "
        "thư mục hay thiết bị.",
    ),
    Rule(
        "parse.period_not_closed", "error", "parse",
        "the period has not ended yet",
        "Kỳ báo cáo chưa kết thúc",
        "A report covers a period that has closed (contract 6.1: the last day of its M-th "
        "month of the statistical year).",
        "Báo cáo phải là của kỳ đã kết thúc (ngày cuối cùng của tháng thứ M của năm thống kê).",
    ),
    Rule(
        "parse.not_an_integer", "error", "parse",
        "a case count is not a whole number",
        "Số việc phải là số nguyên",
        "Case counts (sheet Việc, cases) are whole numbers.",
        "Số việc (sheet Việc) phải là số nguyên, không có phần thập phân.",
    ),
    # --- Validation (the Great Expectations suite) ------------------------------------------
    Rule(
        "identity.total_received", "error", "validation",
        "total_received = carried_over + new_received",
        "Tổng số thụ lý phải bằng Năm trước chuyển sang cộng Thụ lý mới",
        "Total received (Tổng số thụ lý) equals carried over (Năm trước chuyển sang) plus "
        "newly received (Thụ lý mới).",
        "Tổng số thụ lý bằng Năm trước chuyển sang cộng Thụ lý mới.",
    ),
    Rule(
        "identity.must_enforce_received", "error", "validation",
        "must_enforce = total_received - entrusted - recalled",
        "Tổng số phải thi hành phải bằng Tổng số thụ lý trừ Ủy thác và Thu hồi, hủy quyết định",
        "Must be enforced (Tổng số phải thi hành) equals total received minus entrusted "
        "(Ủy thác) minus recalled (Thu hồi, hủy quyết định).",
        "Tổng số phải thi hành bằng Tổng số thụ lý trừ Ủy thác và trừ Thu hồi, hủy quyết định.",
    ),
    Rule(
        "identity.must_enforce_conditions", "error", "validation",
        "must_enforce = with_conditions + without_conditions",
        "Tổng số phải thi hành phải bằng Có điều kiện cộng Chưa có điều kiện",
        "Must be enforced equals with conditions (Có điều kiện) plus without conditions "
        "(Chưa có điều kiện).",
        "Tổng số phải thi hành bằng Có điều kiện cộng Chưa có điều kiện.",
    ),
    Rule(
        "identity.with_conditions", "error", "validation",
        "with_conditions = completed + terminated + in_progress + postponed + suspended + other",
        "Có điều kiện phải bằng Thi hành xong + Đình chỉ + Đang thi hành + Hoãn + Tạm đình chỉ"
        " + Khác",
        "With conditions equals completed + terminated + in progress + postponed + suspended "
        "+ other.",
        "Có điều kiện bằng Thi hành xong + Đình chỉ + Đang thi hành + Hoãn + Tạm đình chỉ + "
        "Khác.",
    ),
    Rule(
        "value.no_negative", "error", "validation",
        "no figure is negative",
        "Số liệu không được âm",
        "Every figure is zero or more.",
        "Mọi số liệu phải lớn hơn hoặc bằng 0.",
    ),
    Rule(
        "rate.done_within_conditions", "error", "validation",
        "completed + terminated <= with_conditions",
        "Thi hành xong cộng Đình chỉ không được lớn hơn Có điều kiện",
        "Completed plus terminated is at most with conditions (the rate is at most 100 %).",
        "Thi hành xong cộng Đình chỉ không lớn hơn Có điều kiện (tỷ lệ không quá 100%).",
    ),
    Rule(
        "total.sum_of_offices", "error", "validation",
        "the total row is the sum of the office rows",
        "Dòng tổng cộng phải bằng tổng các dòng đơn vị",
        "Each figure of the total row is the sum of that column over the office rows.",
        "Mỗi số liệu của dòng tổng cộng bằng tổng cột đó của các dòng đơn vị.",
    ),
    Rule(
        "total.one_row", "error", "validation",
        "exactly one total row per sheet",
        "Mỗi biểu phải có đúng một dòng tổng cộng",
        "Each sheet has exactly one total row.",
        "Mỗi sheet có đúng một dòng tổng cộng.",
        expected_vi="1 dòng tổng cộng",
    ),
    Rule(
        "office.unique", "error", "validation",
        "one row per office in a sheet",
        "Mỗi đơn vị chỉ được báo cáo một dòng trong một biểu",
        "Each office has one row in a sheet (names compared without case and diacritics).",
        "Mỗi đơn vị chỉ có một dòng trong một sheet (so sánh tên không phân biệt hoa thường, "
        "dấu).",
        expected_vi="mỗi đơn vị một dòng (đã có ở dòng {nums[0]})",
    ),
    Rule(
        "header.province_code", "error", "validation",
        "province code valid in the boundary set of the period (63 up to the 8-month report "
        "of 2025, 34 from the 9-month report on)",
        "Mã tỉnh phải thuộc danh mục tỉnh của kỳ báo cáo (63 tỉnh đến báo cáo 8 tháng năm "
        "2025, 34 tỉnh từ báo cáo 9 tháng năm 2025)",
        "The province code is one of the provinces in force for the period: the 63 legacy "
        "provinces up to the 8-month report of 2025, the 34 current ones from the 9-month "
        "report on.",
        "Mã tỉnh phải thuộc danh mục tỉnh của kỳ báo cáo: 63 tỉnh đến báo cáo 8 tháng năm "
        "2025, 34 tỉnh từ báo cáo 9 tháng năm 2025.",
        expected_vi="một mã trong danh mục {boundary} tỉnh của kỳ báo cáo",
    ),
    Rule(
        "period.months", "error", "validation",
        "the cumulative period is 1..12 months",
        "Kỳ báo cáo phải từ 1 đến 12 tháng",
        "A cumulative period is 1 to 12 months.",
        "Kỳ báo cáo lũy kế từ 1 đến 12 tháng.",
        expected_vi="từ 1 đến 12",
    ),
    Rule(
        "period.year", "error", "validation",
        "the statistical year is within the accepted range",
        "Năm thống kê phải nằm trong khoảng được chấp nhận",
        "The statistical year is within THADS_MIN_YEAR..THADS_MAX_YEAR.",
        "Năm thống kê phải nằm trong khoảng được chấp nhận.",
        expected_vi="từ {nums[0]} đến {nums[1]}",
    ),
    Rule(
        "history.cumulative", "error", "validation",
        "cumulative figures never decrease from the previous accepted period of the same year, "
        "nor exceed an accepted later one",
        "Số liệu lũy kế không được nhỏ hơn kỳ báo cáo trước, và không được lớn hơn kỳ báo cáo "
        "sau đã được tiếp nhận, của cùng năm thống kê",
        "New received, total received, completed and terminated accumulate over the year: "
        "never below the previous accepted period, never above a later accepted one.",
        "Thụ lý mới, Tổng số thụ lý, Thi hành xong và Đình chỉ là số lũy kế trong năm: không "
        "nhỏ hơn kỳ trước và không lớn hơn kỳ sau đã được tiếp nhận.",
    ),
    Rule(
        "history.carried_over", "warning", "validation",
        "carried_over equals last year's 12-month carried-to-next-year "
        "(must_enforce - completed - terminated)",
        "Năm trước chuyển sang phải bằng số chuyển sang năm sau của báo cáo 12 tháng năm trước"
        " (Tổng số phải thi hành − Thi hành xong − Đình chỉ)",
        "Carried over equals what last year's 12-month report carried to the next year: must "
        "be enforced minus completed minus terminated.",
        "Năm trước chuyển sang bằng số chuyển sang năm sau của báo cáo 12 tháng năm trước: "
        "Tổng số phải thi hành trừ Thi hành xong trừ Đình chỉ.",
    ),
    Rule(
        "history.outlier_rate", "warning", "validation",
        "the rate is in line with the same period of earlier years (modified z-score)",
        "Tỷ lệ thi hành xong khác thường so với cùng kỳ các năm trước",
        "The rate is within 3.5 modified z-scores of the same period of at least 3 earlier "
        "years.",
        "Tỷ lệ thi hành xong không chênh lệch bất thường so với cùng kỳ của ít nhất 3 năm "
        "trước.",
        expected_vi="gần {nums[0]}% (|z| ≤ {nums[1]})",
    ),
    Rule(
        "history.outlier_new_received", "warning", "validation",
        "new_received is in line with the same period of earlier years (modified z-score)",
        "Số thụ lý mới khác thường so với cùng kỳ các năm trước",
        "New received is within 3.5 modified z-scores of the same period of at least 3 "
        "earlier years.",
        "Số thụ lý mới không chênh lệch bất thường so với cùng kỳ của ít nhất 3 năm trước.",
        expected_vi="gần {nums[0]} (|z| ≤ {nums[1]})",
    ),
    # --- Targets files (targets_<year>.csv) -------------------------------------------------
    Rule(
        "targets.bad_encoding", "error", "targets",
        "the targets file is not UTF-8 text",
        "Tệp chỉ tiêu không đọc được theo bảng mã UTF-8",
        "A targets file is UTF-8 CSV text.",
        "Tệp chỉ tiêu phải là tệp CSV theo bảng mã UTF-8.",
    ),
    Rule(
        "targets.missing_column", "error", "targets",
        "a required column is missing",
        "Tệp chỉ tiêu thiếu cột bắt buộc",
        "A targets file has the columns province_code, case_target_pct, money_target_pct.",
        "Tệp chỉ tiêu phải có các cột province_code, case_target_pct, money_target_pct.",
    ),
    Rule(
        "targets.missing_boundary", "warning", "targets",
        "the merger year needs a boundary column",
        "Tệp chỉ tiêu năm sáp nhập thiếu cột boundary (63 hoặc 34)",
        "For a year that spans the 2025 merger, a 'boundary' column (63 or 34) tells the two "
        "sets of codes apart.",
        "Với năm có sáp nhập tỉnh (2025), cột 'boundary' (63 hoặc 34) cho biết mã tỉnh thuộc "
        "danh mục nào.",
    ),
    Rule(
        "targets.bad_province_code", "error", "targets",
        "the province code is not a two-digit code",
        "Mã tỉnh phải gồm hai chữ số",
        "province_code is the two-digit official code.",
        "Cột province_code là mã tỉnh chính thức gồm hai chữ số.",
    ),
    Rule(
        "targets.bad_boundary", "error", "targets",
        "boundary is not 63 or 34",
        "Cột boundary phải là 63 hoặc 34",
        "boundary is 63 (legacy provinces) or 34 (current provinces).",
        "Cột boundary là 63 (danh mục tỉnh cũ) hoặc 34 (danh mục tỉnh hiện hành).",
    ),
    Rule(
        "targets.not_a_number", "error", "targets",
        "a target is not a number",
        "Chỉ tiêu không phải là số",
        "A target is a number.",
        "Chỉ tiêu phải là số.",
        expected_vi=_A_NUMBER_VI,
    ),
    Rule(
        "targets.out_of_range", "error", "targets",
        "a target is not a percentage",
        "Chỉ tiêu phải là tỷ lệ phần trăm từ 0 đến 100",
        "A target is a percentage between 0 and 100.",
        "Chỉ tiêu là tỷ lệ phần trăm từ 0 đến 100.",
    ),
    Rule(
        "targets.duplicate_province", "error", "targets",
        "a province appears twice",
        "Một tỉnh xuất hiện hai lần trong tệp chỉ tiêu",
        "Each province (per boundary set) has one row.",
        "Mỗi tỉnh (theo từng danh mục) chỉ có một dòng.",
    ),
    Rule(
        "targets.blank_target", "error", "targets",
        "a target is blank",
        "Chỉ tiêu bị để trống",
        "Every province row has both targets (a blank is not 0 %).",
        "Mỗi dòng tỉnh phải có đủ hai chỉ tiêu (ô trống không phải là 0 %).",
    ),
    Rule(
        "targets.unknown_province", "error", "targets",
        "a province code is not in the year's boundary set",
        "Mã tỉnh không thuộc danh mục tỉnh của năm",
        "Every province_code is a code of the boundary set of the year (63 or 34).",
        "Mã tỉnh phải thuộc danh mục tỉnh của năm (63 hoặc 34 tỉnh).",
    ),
    Rule(
        "targets.missing_province", "error", "targets",
        "a province of the year's boundary set has no target",
        "Thiếu chỉ tiêu của tỉnh trong danh mục",
        "A targets file gives a target to every province of the year's boundary set.",
        "Tệp chỉ tiêu phải có chỉ tiêu cho mọi tỉnh trong danh mục của năm.",
    ),
    Rule(
        "targets.unreadable", "error", "targets",
        "the targets file cannot be read",
        "Không đọc được tệp chỉ tiêu",
        "A targets file is a readable CSV file within the reading limits.",
        "Tệp chỉ tiêu phải là tệp CSV đọc được, trong giới hạn cho phép.",
    ),
    Rule(
        "targets.empty", "error", "targets",
        "the targets file holds no targets",
        "Tệp chỉ tiêu không có số liệu",
        "A targets file has at least one province row.",
        "Tệp chỉ tiêu phải có ít nhất một dòng chỉ tiêu của tỉnh.",
    ),
    # --- Approval of final figures (contract section 7) -----------------------------------
    Rule(
        "approval.held", "error", "approval",
        "the period is final: the file is held",
        "Kỳ báo cáo đã được phê duyệt số liệu chính thức: tệp được lưu giữ nhưng chưa đưa "
        "vào kho dữ liệu",
        "The figures of this province and period were approved as final. A file that arrives "
        "afterwards is kept (status held) and not loaded; the data team decides whether to "
        "reopen the period (thads reopen), and then the next load judges it.",
        "Số liệu của tỉnh trong kỳ báo cáo này đã được phê duyệt là số liệu chính thức. Tệp "
        "gửi sau đó được lưu giữ nhưng chưa đưa vào kho dữ liệu; nhóm dữ liệu sẽ quyết định "
        "có mở lại kỳ báo cáo hay không, khi đó tệp sẽ được kiểm tra như thường lệ.",
        observed_vi="số liệu chính thức",
        expected_vi="số liệu sơ bộ",
    ),
)  # fmt: skip

#: contract identity name -> rule id. Every identity of `thads.contract.IDENTITIES` must
#: appear here (checked at import), so a new identity cannot slip past validation.
IDENTITY_RULES: dict[str, str] = {
    IDENTITIES[0][0]: "identity.total_received",
    IDENTITIES[1][0]: "identity.must_enforce_received",
    IDENTITIES[2][0]: "identity.must_enforce_conditions",
    IDENTITIES[3][0]: "identity.with_conditions",
}

_missing = {name for name, _, _ in IDENTITIES} - set(IDENTITY_RULES)
if _missing:  # a contract change without a rule: fail at import, not silently in production
    raise RuntimeError(f"contract identities without a validation rule: {sorted(_missing)}")


class UnknownRule(KeyError):
    """Code emitted a rule id the catalogue does not have (a programming error)."""


def rule(rule_id: str) -> Rule:
    try:
        return RULES[rule_id]
    except KeyError:
        raise UnknownRule(f"rule {rule_id!r} is not in the catalogue (thads/rules.py)") from None


def rules_of(stage: Stage) -> dict[str, Rule]:
    """The rules checked at one stage, in catalogue order."""
    return {k: r for k, r in RULES.items() if r.stage == stage}

"""Approval of final figures (contract section 7): decisions, held files, the audit log.

    from thads.approval import approve, reopen
    approve(2024, 12, by="Nguyễn Văn A")            # every province with an accepted report
    reopen(2024, 12, province="80", by="...", reason="...")

`state` reads and appends the registry's `approval_log`; `decisions` checks and takes a
decision; `held` decides which arriving files wait and tells the province; `export` writes
`raw/approval_log.parquet` for dbt.
"""

from thads.approval.decisions import ApprovalError, ApprovalResult, approve, reopen

__all__ = ["ApprovalError", "ApprovalResult", "approve", "reopen"]

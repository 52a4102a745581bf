"""The standard provider's ApprovalOperator (human-in-the-loop, Airflow 3.1+), keeping the
answer in XCom whatever it is.

On "Reject" ApprovalOperator skips its downstream tasks by raising before its return value
reaches XCom, so a task that records the rejection would not see who rejected or why. This
subclass pushes the answer (chosen option, form input, who, when) under `RESPONSE_KEY`
first, then behaves exactly like ApprovalOperator. Imported by the DAG file only (it needs
Airflow).
"""

from __future__ import annotations

from typing import Any

from airflow.providers.standard.operators.hitl import ApprovalOperator

RESPONSE_KEY = "response"


class RecordedApprovalOperator(ApprovalOperator):
    def execute_complete(self, context: Any, event: dict[str, Any]) -> Any:
        if "error" not in event:
            context["ti"].xcom_push(
                key=RESPONSE_KEY,
                value={
                    "chosen_options": event["chosen_options"],
                    "params_input": event.get("params_input") or {},
                    "responded_by_user": event.get("responded_by_user"),
                    "responded_at": str(event.get("responded_at")),
                },
            )
        return super().execute_complete(context, event)

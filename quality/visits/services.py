"""Every write for visits in one import: ``from quality.visits import services``.

The functions live in the workflow's modules (``framework``, ``conduct``, ``reporting``,
``action_plans``, ``overdue``, ``pdf``); docs/visits.md lists them with what each does.
"""

from .action_plans import (
    TRANSITIONS,
    ActionPlanIncomplete,
    action_plan_gaps,
    action_plan_shortfalls,
    action_plan_submit,
    plan_action_add,
    plan_action_complete,
    plan_action_move,
    plan_action_remove,
    plan_action_reopen,
    plan_action_start,
    plan_action_update,
    plan_action_verify,
)
from .conduct import (
    answer_save,
    findings_save,
    observation_add,
    person_spoken_to_add,
    person_spoken_to_add_from_data,
    visit_cancel,
    visit_draft_report,
    visit_officer_assign,
    visit_officer_remove,
    visit_ratings_compute,
    visit_record_remove,
    visit_reschedule,
    visit_schedule,
    visit_start,
    visit_summary_save,
)
from .framework import (
    domain_save,
    framework_copy,
    framework_current,
    framework_item_remove,
    framework_problems,
    framework_publish,
    framework_update,
    question_save,
    standard_save,
)
from .overdue import overdue_flag, overdue_notices_send, overdue_run
from .pdf import report_pdf_request
from .reporting import (
    comment_add,
    comment_dispute,
    comment_evidence_add,
    comment_respond,
    comment_window_is_open,
    comment_window_reopen,
    publication_problems,
    report_escalate,
    report_provider_accept,
    report_publish,
    report_share,
    senior_review_complete,
)

__all__ = [
    "TRANSITIONS", "ActionPlanIncomplete", "action_plan_gaps", "action_plan_shortfalls",
    "action_plan_submit", "answer_save", "comment_add", "comment_dispute", "comment_evidence_add",
    "comment_respond", "comment_window_is_open", "comment_window_reopen", "domain_save",
    "findings_save", "framework_copy", "framework_current", "framework_item_remove",
    "framework_problems", "framework_publish", "framework_update", "observation_add",
    "overdue_flag", "overdue_notices_send", "overdue_run", "person_spoken_to_add",
    "person_spoken_to_add_from_data", "plan_action_add", "plan_action_complete", "plan_action_move",
    "plan_action_remove", "plan_action_reopen", "plan_action_start", "plan_action_update",
    "plan_action_verify", "publication_problems", "question_save", "report_escalate",
    "report_pdf_request", "report_provider_accept", "report_publish", "report_share",
    "senior_review_complete", "standard_save", "visit_cancel", "visit_draft_report",
    "visit_officer_assign", "visit_officer_remove", "visit_ratings_compute", "visit_record_remove",
    "visit_reschedule", "visit_schedule", "visit_start", "visit_summary_save",
]

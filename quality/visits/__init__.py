"""Quality monitoring visits: the framework, planning, conducting and reporting a visit, and
action plans. The service layer pages, API, tasks and commands share (docs/visits.md).

Writes: ``services`` gathers them from ``framework`` (versions), ``conduct`` (planning and
fieldwork), ``reporting`` (sharing, comments, senior review, publication), ``action_plans``,
``overdue`` (the daily check and its notices) and ``pdf``. Reads: ``selectors`` (visibility),
``planning`` (homes due a visit), ``report.report_context``. Rules: ``rating`` (the pure rating
rule), ``timing`` (every interval), ``no_names``; ``scoring`` applies the rule to a visit;
``events`` writes the log; ``default_framework`` is version 1; ``tasks`` the Celery tasks.
``quality.models`` imports only the pure ``rating``, ``no_names`` and ``default_framework``.
"""

"""Returns for many homes at once, from a CSV or XLSX file: all or nothing per file.

A provider group sends one row per home and month. The whole file is checked first with
the same rules as the web form (``validation.check_return`` with each home's history, and
the checks ``services.return_save`` makes). Only if no row has a problem are the rows
saved, in one transaction, through ``services.return_save``. Sending the same file again
changes nothing: identical submitted values are left as they are.

The file's columns (see the upload page, which explains them to people):

* ``CQC location ID`` and ``Month`` (``2026-10``, a date in the month, or an XLSX date);
* one column per question, headed by its key (``beds_occupied``) or its label
  (``Occupied beds``), either in any case;
* optional ``Submit``: ``Y`` (or blank) submits, ``N`` saves a draft;
* optional ``Amendment reason``: needed when a row changes a submitted return;
* optional ``Confirmations``: reasons for unusual values, as ``key: reason; key: reason``.
"""

from .reading import (
    CONFIRMATIONS,
    LOCATION,
    MONTH,
    MONTH_FORMAT,
    REASON,
    SUBMIT,
    parse_month,
    template_header,
    template_rows,
)
from .running import (
    return_upload_create,
    return_upload_record,
    return_upload_run,
    upload_check,
    uploads_visible_to,
)

__all__ = [
    "CONFIRMATIONS", "LOCATION", "MONTH", "MONTH_FORMAT", "REASON", "SUBMIT", "parse_month",
    "return_upload_create", "return_upload_record", "return_upload_run", "template_header",
    "template_rows", "upload_check", "uploads_visible_to",
]

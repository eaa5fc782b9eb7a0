"""Smoke runs of the benchmarks in bench/: they work and count right on a tiny directory.

They run in pytest-django's test database (``--use-current-db``); timings are printed
by the benchmarks for people to read and never asserted.
"""

import pytest

from bench import carehome_list, feeds, import_cqc, pack, returns

pytestmark = [pytest.mark.bench, pytest.mark.django_db(transaction=True)]

ROWS = 60


def test_import_benchmark_creates_every_home_then_leaves_them_unchanged(capsys):
    figures = import_cqc.main(["--rows", str(ROWS), "--use-current-db"])
    first, second = figures["first"], figures["second"]
    assert first["rows_in_file"] == first["rows_in_area"] == ROWS
    assert first["rows_created"] == ROWS
    assert second["rows_unchanged"] == ROWS
    assert second["rows_created"] == second["rows_updated"] == second["homes_deregistered"] == 0
    assert second["ratings_recorded"] == 0 < first["ratings_recorded"]
    assert figures["homes"] == figures["copy_rows"] == ROWS
    assert all(figures[k] > 0 for k in ("parse_seconds", "first_seconds", "second_seconds",
                                        "copy_seconds"))
    out = capsys.readouterr().out
    assert "first import (all created)" in out and "bare COPY of the same CSV" in out


def test_list_benchmark_times_each_endpoint_for_each_user(capsys):
    results = carehome_list.main(["--rows", str(ROWS), "--repeat", "1", "--use-current-db"])
    assert {(r["user"], r["endpoint"]) for r in results} == {
        (user, endpoint) for user in ("commissioner (ICB)", "administrator")
        for endpoint, _ in carehome_list.ENDPOINTS}
    homes = {r["user"]: r["homes"] for r in results}
    assert homes["administrator"] == ROWS
    assert 0 < homes["commissioner (ICB)"] < ROWS
    assert all(r["queries"] > 0 and r["ms"] > 0 and r["bytes"] > 0 for r in results)
    assert "median ms" in capsys.readouterr().out


def test_returns_benchmark_uploads_then_reuploads_and_times_the_pages(capsys):
    figures = returns.main(["--rows", str(ROWS), "--upload-rows", "20", "--months", "3",
                            "--repeat", "1", "--use-current-db"])
    upload = figures["upload"]
    assert upload["rows"] == upload["checked"] == 20
    assert upload["first"]["rows_created"] == 20
    assert upload["second"]["rows_unchanged"] == 20
    assert upload["second"]["rows_created"] == upload["second"]["rows_updated"] == 0
    history = figures["history"]
    assert 0 < history["returns"] <= ROWS * 3
    timed_pages = {r["page"] for r in figures["pages"]}
    assert timed_pages or figures["notes"]
    assert all(r["queries"] > 0 and r["ms"] > 0 for r in figures["pages"])
    out = capsys.readouterr().out
    assert "first upload (all created)" in out and "rows/s" in out


def test_feeds_benchmark_loads_every_file_resends_one_and_times_the_recompute(capsys):
    figures = feeds.main(["--homes", str(ROWS), "--ambulance", "3000", "--hospital", "1200",
                          "--months", "3", "--repeat", "1", "--use-current-db"])
    runs = figures["ingestion"]["runs"]
    assert len(runs) == 6  # one file per feed and month
    assert sum(r["received"] for r in runs) == sum(r["accepted"] for r in runs) == 4200
    assert all(r["seconds"] > 0 and r["copy"] > 0 and r["stored"] > 0 and 0 < r["load"] < r["seconds"]
               for r in runs)
    resend = figures["ingestion"]["resend"]
    assert resend["unchanged"] == resend["received"] == 1000
    assert resend["accepted"] == resend["updated"] == 0
    recompute = figures["recompute"]
    assert recompute["ratings"] == recompute["sql_rows"] > 0
    out = capsys.readouterr().out
    assert "bare COPY of the same files" in out and "floor: stored rows" in out
    assert "within 2×?" in out and "within 3×?" in out


def test_pack_benchmark_renders_the_meeting_pack_for_the_flagged_homes(capsys):
    figures = pack.main(["--rows", str(ROWS), "--flagged", "3", "--repeat", "1", "--use-current-db"])
    assert 0 < figures["homes"] <= ROWS and figures["flagged"] == 3
    render = figures["render"]
    assert [r["status"] for r in figures["renders"]] == ["succeeded"]
    assert render["pages"] >= 3 + 4  # a section per flagged home, the cover, agenda, dashboard, actions
    assert render["bytes"] > 0 and 0 < render["pdf_seconds"] < render["seconds"]
    assert figures["context"]["queries"] > 0 and figures["context"]["seconds"] > 0
    out = capsys.readouterr().out
    assert "meeting_pack_render (whole job)" in out and "of which WeasyPrint" in out

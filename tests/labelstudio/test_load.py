"""Under load, nothing lost (issue 12): 20 coders at once against a real Label Studio.

The scenario is :mod:`.load` (shared with ``benchmarks/labelstudio_load.py``, which runs it
bigger): a study on its own server (a copy of the suite's migrated template; its own because
one test kills it), 20 coders made by ``coders add``'s library function, the shared design
(one project, every coder on every task: the most contention on the same rows), each coder a
thread with their own token. Bounded: ``ROUNDS`` rounds of at most four requests per coder,
one pull in the middle, a deadline on every phase; 127.0.0.1 only.

The backend is the fixture's parameter: ``sqlite`` (the embedded server, from the suite's
SQLite template) and ``postgresql`` (the team server: PostgreSQL + gunicorn with
``load.TEAM_WORKERS`` workers, from the suite's team template; the crash kills gunicorn's
process group only, the database stays up, as in a real crash of the web server).
Figures and errors of each run: ``build/labelstudio-load/test-<backend>-*.json``.
"""

from __future__ import annotations

from dataclasses import asdict

import pytest

from framestudy.labelstudio.client import connect
from framestudy.labelstudio.pull import pull

from . import load

pytestmark = [pytest.mark.labelstudio, pytest.mark.slow]

N_CODERS = 20
ROUNDS = 3  # rounds 0..2 in test 1; the crash round uses the next two tasks
ARTICLES = 8
DESIGN = "shared"


@pytest.fixture(scope="module", params=load.BACKENDS)
def team(request, tmp_path_factory):
    backend = request.param
    # the migrated template of that backend: SQLite, or a stopped PostgreSQL cluster
    template = request.getfixturevalue("ls_team_template" if backend == "postgresql"
                                       else "ls_template")
    setup = load.prepare(
        tmp_path_factory.mktemp(f"load-{backend}") / "study",
        backend=backend,
        n_coders=N_CODERS,
        n_articles=ARTICLES,
        design=DESIGN,
        template=template,
    )
    with load.running(setup):
        yield setup


def _pull(setup: load.Setup):
    result = pull(setup.study, connect(setup.study))
    return result, load.check_export(setup, load.exported_tasks(e.path for e in result.exports))


def test_twenty_coders_submit_and_update_and_every_pull_has_each_annotation_once(team):
    report, ledger, pulled = load.run_rounds(team, ROUNDS, deadline=240.0)
    print("\n" + load.summary(report))
    for error in report.errors:
        print("  error:", error)
    path = load.write_report(f"test-{team.backend}-rounds", asdict(report))
    print(f"  recorded in {path}")

    # Bounded: the work done is exactly what the rounds prescribe.
    per_coder = 3 * ROUNDS + (ROUNDS - 1)  # open + submit + correct, + one revision later on
    assert report.requests == N_CODERS * per_coder

    # The pull in the middle: every annotation acknowledged before it started is in it
    # exactly once, under its id and framestudy's key, at that version or a later one.
    assert "result" in pulled, "the mid-run pull did not run"
    assert len(pulled["before"]) > 0
    mid = load.check_export(
        team, load.exported_tasks(e.path for e in pulled["result"].exports)
    )
    assert mid.problems(pulled["before"], exact=False) == []

    # The next pull: every acknowledged annotation exactly once, at its latest version,
    # and nothing else; the tidy table holds the latest values under the same ids.
    acked = ledger.snapshot()
    assert len(acked) == N_CODERS * ROUNDS
    result, final = _pull(team)
    assert final.problems(acked, exact=True) == []
    assert set(final.found) == set(acked)
    assert load.table_problems(team, result.table, acked) == []
    assert not result.report.duplicates


def test_server_killed_mid_round_then_retried_submissions_give_one_annotation_each(team):
    crash, ledger = load.crash_round(team, ROUNDS, per_coder=2, deadline=240.0)
    print(
        f"\n{crash.backend}: killed after {crash.killed_after} of {crash.submissions} "
        f"submissions with {crash.in_flight} in flight; restarted in {crash.restart_seconds} s; "
        f"{crash.retried} retried, {crash.found_stored} of them already stored (409)"
    )
    path = load.write_report(f"test-{team.backend}-crash", asdict(crash))
    print(f"  recorded in {path}")
    assert 0 < crash.killed_after < crash.submissions
    assert crash.in_flight > 0, "the server was not killed in the middle of a round"
    assert crash.retried > 0

    acked = ledger.snapshot()
    assert len(acked) == crash.submissions  # every coder was told each one is saved

    # A client that lost every answer sends everything again: nothing new is stored.
    for first, again in load.replay(team, ledger):
        assert (again.created, again.same, again.id) == (False, True, first.id)

    result, found = _pull(team)
    assert found.problems(acked, exact=True) == []
    crash_tasks = {task for (_email, task) in acked}
    assert {k for k in found.found if k[1] in crash_tasks} == set(acked)
    assert not result.report.duplicates

"""Benchmark of the Label Studio round trip (issue 3). Not a test: prints figures.

Against a local Label Studio (the test suite's cached template copied into a scratch study,
or a fresh server if there is none), with 10,000 synthetic articles in 10 outlets and three
coders:

1. **push** (blind design, 20% reliability sample -> 3 projects, ~14,000 tasks) against the
   raw HTTP import of exactly the same task payloads into 3 fresh projects with ``requests``
   (same batch size, and one request per project); goal: push <= 1.3 x raw.
2. **re-push with nothing changed** (the ledger path), goal <= 3 s; also the same with the
   ledger deleted (every task listed) for comparison.
3. **pull of 30,000 annotations**: a shared-design study whose project is seeded by
   importing the 10,000 tasks with 3 inline annotations each (one per coder: the ten
   document variables, one span with three per-region attributes) -- 50x faster than
   posting annotations one by one. Times the snapshot export and, separately, parsing +
   normalising the saved export into the tidy table (``read_export`` + ``tidy_from_export``
   with the schema); goal <= 2 s.
   Then a second pull with nothing changed (no export, table left as it is); goal <= 2 s.
4. **the SDK's typed calls vs framestudy's raw requests** (``Connection.raw_request``, the
   one place framestudy bypasses them): listing a project's tasks with ``tasks.list`` against
   :func:`framestudy.labelstudio.remote.list_tasks`, and importing up to 2,000 tasks with
   ``projects.import_tasks`` against the raw request push makes, with the same payloads.
5. **pull that scales with what changed**, on a blind-design study of 30,000 annotations
   (``--coders`` coders, default 6, one project each; a 20% reliability sample coded by all,
   so 1.5 x ``--articles`` articles and one task per annotation; seeded by import, 100 tasks
   of the first coder's project left open): a first pull (every project exported), a pull
   with nothing changed (goal <= 2 s), then 100 annotations made in one project and a pull
   (goal <= 1/3 of a full pull), then a full pull (``full=True``) on the same server state,
   whose table must be byte-identical to the incremental pull's.

Run: ``.venv/bin/python benchmarks/labelstudio.py`` (``--articles 2000`` for a quick run;
``--sections 3,5`` for some sections only).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pandas as pd
import requests

from framestudy import settings
from framestudy.annotations import read_export, tidy_from_export
from framestudy.design import assign_blind
from framestudy.labelstudio import remote, server
from framestudy.labelstudio.accounts import users_by_id
from framestudy.labelstudio.client import connect
from framestudy.labelstudio.coders import add_coders
from framestudy.labelstudio.pull import pull
from framestudy.labelstudio.pull_ledger import ledger_path
from framestudy.labelstudio.push import push
from framestudy.schema import load_schema
from framestudy.settings import SHARED, project_title
from framestudy.study import Study
from framestudy.task_meta import task_meta

ROOT = Path(__file__).resolve().parents[1]
WORDS = [
    "nato",
    "enlargement",
    "promise",
    "russia",
    "ukraine",
    "security",
    "guarantee",
    "neutrality",
    "alliance",
    "treaty",
    "moscow",
    "kyiv",
    "washington",
    "summit",
    "membership",
    "sovereignty",
    "expansion",
    "east",
    "west",
    "talks",
    "peace",
    "war",
    "the",
    "of",
    "and",
    "to",
    "in",
    "a",
    "is",
    "that",
    "for",
    "on",
    "with",
    "as",
    "by",
    "was",
    "were",
    "said",
    "officials",
    "government",
]


def timed(label: str, fn, *args, **kwargs):
    start = time.perf_counter()
    out = fn(*args, **kwargs)
    seconds = time.perf_counter() - start
    print(f"  {label:<58} {seconds:8.2f} s", flush=True)
    return out, seconds


def unchanged_pulls(label: str, study, conn, runs: int = 3) -> list[float]:
    """Time ``runs`` pulls of a study whose server has not changed since its last pull;
    each must export nothing and leave the table alone."""
    times = []
    for attempt in range(1, runs + 1):
        same, t = timed(f"{label}, nothing changed, run {attempt}", pull, study, conn)
        assert not same.rebuilt and not any(e.exported for e in same.exports)
        times.append(t)
    return times


def make_tasks(n: int, chars: int, schema_hash: str, seed: int = 1) -> list[dict]:
    rng = random.Random(seed)
    tasks = []
    for i in range(n):
        words = []
        size = 0
        while size < chars:
            w = rng.choice(WORDS)
            words.append(w)
            size += len(w) + 1
        text = f"Article {i}: NATO " + " ".join(words) + "."
        tasks.append(
            {
                "data": {
                    "article_id": f"art-{i:06d}",
                    "outlet": f"outlet-{i % 10}",
                    "outlet_name": f"Outlet {i % 10}",
                    "title": f"Article {i}",
                    "date": "2024-01-01",
                    "text": text,
                    "schema_hash": schema_hash,
                }
            }
        )
    return tasks


def new_study(root: Path, name: str, tasks: list[dict]) -> Study:
    root.mkdir(parents=True)
    shutil.copytree(ROOT / "schemas", root / "schemas")
    (root / "tasks").mkdir()
    (root / "tasks" / "tasks.json").write_text(json.dumps(tasks), encoding="utf-8")
    (root / "study.yaml").write_text(f"name: {name}\n", encoding="utf-8")
    return Study(root)


def start_server(home: Study) -> None:
    version = server.label_studio_version()
    template = ROOT / ".pytest_cache" / "d" / f"labelstudio-template-{version}" / "template"
    if not (template / ".labelstudio" / "credentials.json").is_file():
        # the test suite's template when it ran with -p no:cacheprovider
        tmp = Path(os.environ.get("TMPDIR", "/tmp"))
        template = tmp / f"framestudy-ls-template-{version}" / "template"
    if (template / ".labelstudio" / "credentials.json").is_file():
        subprocess.run(
            ["cp", "-a", str(template / ".labelstudio"), str(home.root / ".labelstudio")],
            check=True,
        )
        print("server: copy of the test suite's migrated template")
    else:
        print("server: fresh database (no cached template; ~30 s)")
    timed("server start", server.start, home, port=server.free_port())


def raw_import(url: str, token: str, label_config: str, payloads: dict, batch: int | None):
    """Plain requests: create projects and POST the same payloads (the baseline)."""
    session = requests.Session()
    session.headers["Authorization"] = f"Token {token}"
    for coder, tasks in payloads.items():
        r = session.post(
            f"{url}/api/projects/",
            json={"title": f"raw {batch} {coder}"[:50], "label_config": label_config},
        )
        r.raise_for_status()
        pid = r.json()["id"]
        step = batch or len(tasks)
        for start in range(0, len(tasks), step):
            r = session.post(f"{url}/api/projects/{pid}/import", json=tasks[start : start + step])
            r.raise_for_status()


def annotation(coder_id: int, text: str, k: int) -> dict:
    start = text.index("NATO")
    where = {"start": start, "end": start + 4, "text": "NATO"}
    choice = lambda name, *values: {  # noqa: E731
        "from_name": name,
        "to_name": "text",
        "type": "choices",
        "value": {"choices": list(values)},
    }
    ordinal = ["-2", "-1", "0", "+1", "+2", "NA"]
    result = [
        choice("relevant", "yes"),
        choice("genre", ["REPORTING", "OPINION", "ANALYSIS"][k % 3]),
        choice("legit_nato_enlargement", ordinal[k % 6]),
        choice("legit_ukraine_choice", ordinal[(k + 1) % 6]),
        choice("legit_russia_claims", ordinal[(k + 2) % 6]),
        choice("promise_status", "CONTESTED"),
        choice("blame_primary", "NATO"),
        choice("blame_actors", "NATO", "RUSSIA"),
        choice("guarantee_favoured", "NEUTRALITY"),
        choice("guarantee_credibility", "0"),
        {
            "id": f"s{k}",
            "from_name": "span",
            "to_name": "text",
            "type": "labels",
            "value": {**where, "labels": ["BLAME"]},
        },
        {
            "id": f"s{k}",
            "from_name": "blame_target",
            "to_name": "text",
            "type": "choices",
            "value": {**where, "choices": ["NATO"]},
        },
        {
            "id": f"s{k}",
            "from_name": "blame_outcome",
            "to_name": "text",
            "type": "choices",
            "value": {**where, "choices": ["BROKEN_PROMISE"]},
        },
        {
            "id": f"s{k}",
            "from_name": "voice",
            "to_name": "text",
            "type": "choices",
            "value": {**where, "choices": ["AUTHORIAL"]},
        },
    ]
    for i, item in enumerate(result):
        item.setdefault("id", f"d{i}")
    return {"completed_by": coder_id, "result": result, "lead_time": 30.0 + k}


def incremental_pull(scratch: Path, conn, url: str, label_config: str, args) -> None:
    """Section 5 (see the module doc)."""
    k = args.coders
    share = settings.DEFAULT_SHARE
    n_articles = round(args.articles * 3 / (1 + share * (k - 1)))
    schema = load_schema(ROOT / "schemas" / "framing.yaml")
    tasks = make_tasks(n_articles, args.chars, schema.hash, seed=5)
    study = new_study(scratch / "incremental", "bench-inc", tasks)
    coders = [f"coder{i}@inc.example" for i in range(1, k + 1)]
    add_coders(study, conn, coders)
    ids = {email: uid for uid, email in users_by_id(conn).items()}
    assignment = assign_blind(
        pd.DataFrame(
            {
                "article_id": [t["data"]["article_id"] for t in tasks],
                "outlet": [t["data"]["outlet"] for t in tasks],
            }
        ),
        coders,
        share=share,
        seed=settings.DEFAULT_SEED,
    )
    by_article = {t["data"]["article_id"]: t for t in tasks}
    records, held_out = [], {}
    print(
        f"5. pull that scales with what changed: blind design, {k} coders, {n_articles} "
        f"articles, {len(assignment)} annotations (one task each)"
    )

    def seed():
        for coder in coders:
            title = project_title("bench-inc", coder)
            project = conn.sdk.projects.create(title=title, label_config=label_config)
            records.append(settings.ProjectRecord(coder, project.id, title))
            articles = sorted(assignment.loc[assignment["coder"] == coder, "article_id"])
            if coder == coders[0]:  # 100 tasks of the first project stay open
                held_out.update({a: project.id for a in articles[:100]})
            payload = [
                {
                    "data": by_article[a]["data"],
                    "meta": task_meta(by_article[a]["data"]),
                    **(
                        {}
                        if coder == coders[0] and a in held_out
                        else {
                            "annotations": [
                                annotation(ids[coder], by_article[a]["data"]["text"], i)
                            ]
                        }
                    ),
                }
                for i, a in enumerate(articles)
            ]
            for start in range(0, len(payload), 500):
                conn.sdk.projects.import_tasks(id=project.id, request=payload[start : start + 500])

    timed("seed: import every project's tasks with inline annotations", seed)
    settings.save_design(study, "blind", share, settings.DEFAULT_SEED)
    settings.save_projects(study, url, records)

    first, t_first = timed("first pull (every project exported)", pull, study, conn)
    assert all(e.exported for e in first.exports)
    print(
        f"     {len(first.exports)} exports, "
        f"{sum(e.size for e in first.exports) / 1e6:.0f} MB; {first.report.summary()}"
    )
    t_same = unchanged_pulls("pull", study, conn)

    first_project = records[0].id
    open_tasks = {
        item["id"]: item["meta"]["article_id"]
        for item in remote.iterate_tasks(conn, first_project, "id,meta")
        if (item.get("meta") or {}).get("article_id") in held_out
    }
    assert len(open_tasks) == 100

    def annotate():
        for i, (task_id, article) in enumerate(open_tasks.items()):
            body = annotation(ids[coders[0]], by_article[article]["data"]["text"], i)
            conn.sdk.annotations.create(
                id=task_id,
                result=body["result"],
                completed_by=body["completed_by"],
                lead_time=body["lead_time"],
            )

    timed("100 annotations made in the first project (API)", annotate)
    changed, t_changed = timed("pull after 100 new annotations in one project", pull, study, conn)
    assert [e.project.id for e in changed.exports if e.exported] == [first_project]
    assert changed.report.used == first.report.used + 100
    incremental = study.annotations_csv.read_bytes()
    full, t_full = timed("full pull on the same state (full=True)", pull, study, conn, full=True)
    assert all(e.exported and not e.new for e in full.exports)
    identical = study.annotations_csv.read_bytes() == incremental
    assert identical, "the incremental pull's table differs from the full pull's"
    assert ledger_path(study).is_file()
    full_mean = (t_first + t_full) / 2
    print(
        f"     nothing changed: best {min(t_same):.2f} s, worst {max(t_same):.2f} s (goal <= 2 s)"
    )
    print(
        f"     after 100 new annotations in one project: {t_changed:.2f} s = "
        f"{t_changed / t_full:.2f} of the full pull on the same state ({t_full:.2f} s), "
        f"{t_changed / full_mean:.2f} of the mean full pull ({full_mean:.2f} s) (goal <= 1/3)"
    )
    print(f"     table of the incremental pull byte-identical to the full pull's: {identical}")
    load = os.getloadavg()
    print(f"     load average during the run: {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--chars", type=int, default=2500, help="characters per article")
    parser.add_argument("--coders", type=int, default=6, help="coders of section 5's study")
    parser.add_argument("--sections", default="1,2,3,4,5", help="which sections to run")
    args = parser.parse_args()
    sections = {int(x) for x in args.sections.split(",")}

    scratch = Path(tempfile.mkdtemp(prefix="framestudy-bench-"))
    home = Study(scratch / "home")
    home.root.mkdir()
    try:
        start_server(home)
        state = json.loads((home.labelstudio_dir / "server.json").read_text())
        creds = json.loads((home.labelstudio_dir / "credentials.json").read_text())
        url, token = state["url"], creds["token"]
        schema = load_schema(ROOT / "schemas" / "framing.yaml")
        tasks = make_tasks(args.articles, args.chars, schema.hash)
        size = len(json.dumps(tasks)) / 1e6
        print(
            f"{args.articles} articles, {size:.1f} MB of tasks; label-studio "
            f"{server.label_studio_version()}"
        )

        blind = new_study(scratch / "blind", "bench-blind", tasks)
        conn = connect(home)
        coders = ["ana@bench.example", "ben@bench.example", "cem@bench.example"]
        add_coders(blind, conn, coders)
        label_config = blind.labeling_config.read_text(encoding="utf-8")

        if sections & {1, 2, 4}:  # 2 and 4 use what 1 pushed
            # -- 1. push vs raw import --------------------------------------------------------
            print("1. push (blind, 3 coders) vs raw HTTP import of the same tasks")
            # The raw baseline needs the assignment (which articles go to which project): drawn
            # with the same function push uses.
            assignment = assign_blind(
                pd.DataFrame(
                    {
                        "article_id": [t["data"]["article_id"] for t in tasks],
                        "outlet": [t["data"]["outlet"] for t in tasks],
                    }
                ),
                coders,
                share=settings.DEFAULT_SHARE,
                seed=settings.DEFAULT_SEED,
            )
            by_article = {t["data"]["article_id"]: t for t in tasks}
            payloads = {}
            for coder in coders:
                rows = assignment[assignment["coder"] == coder]
                ordered = rows.sort_values(["rank", "article_id"])["article_id"]
                payloads[coder] = [
                    {"data": by_article[a]["data"], "meta": task_meta(by_article[a]["data"])}
                    for a in ordered
                ]
            # raw before and after push, so neither profits from a smaller database
            _, t_raw_before = timed(
                "raw requests import, one request per project (before)",
                raw_import,
                url,
                token,
                label_config,
                payloads,
                None,
            )
            result, t_push = timed("framestudy push (library call)", push, blind, conn)
            n_tasks = sum(p.imported for p in result.projects)
            print(f"     -> {len(result.projects)} projects, {n_tasks} tasks")
            assert result.assignment.drop(columns="project").equals(assignment)
            _, t_raw_after = timed(
                "raw requests import, one request per project (after)",
                raw_import,
                url,
                token,
                label_config,
                payloads,
                None,
            )
            _, t_raw_batched = timed(
                "raw requests import, batches of 500",
                raw_import,
                url,
                token,
                label_config,
                payloads,
                500,
            )
            raw = (t_raw_before + t_raw_after) / 2
            print(
                f"     push / raw = {t_push / raw:.2f} x (raw: mean of before and after; goal <= 1.3)"
            )

        if 2 in sections:
            # -- 2. re-push --------------------------------------------------------------------
            print("2. re-push with nothing changed")
            t_repush = []
            for attempt in range(1, 4):
                again, t = timed(f"framestudy push again (ledger), run {attempt}", push, blind, conn)
                assert again.imported == 0
                t_repush.append(t)
            remote.ledger_path(blind).unlink()
            again, t_listed = timed(
                "framestudy push again, ledger deleted (full listing)", push, blind, conn
            )
            assert again.imported == 0
            print(f"     goal <= 3 s: best {min(t_repush):.2f} s, worst {max(t_repush):.2f} s")

        if 3 in sections:
            # -- 3. 30,000 annotations: seed, export, parse ------------------------------------
            print(f"3. pull of {3 * args.articles} annotations (shared design, seeded by import)")
            shared = new_study(scratch / "shared", "bench-shared", tasks)
            settings.add_coders(shared, coders)
            ids = {email: uid for uid, email in users_by_id(conn).items()}
            project = conn.sdk.projects.create(
                title=project_title("bench-shared", SHARED),
                label_config=label_config,
                maximum_annotations=3,
            )
            seeded = [
                {
                    "data": t["data"],
                    "meta": task_meta(t["data"]),
                    "annotations": [
                        annotation(ids[c], t["data"]["text"], i + k) for k, c in enumerate(coders)
                    ],
                }
                for i, t in enumerate(tasks)
            ]

            def seed():
                for start in range(0, len(seeded), 500):
                    conn.sdk.projects.import_tasks(id=project.id, request=seeded[start : start + 500])

            timed("seed: import tasks with 3 inline annotations each", seed)
            settings.save_design(shared, "shared", 0.2, 1)
            settings.save_projects(
                shared, url, [settings.ProjectRecord(SHARED, project.id, project.title)]
            )
            again, t_shared_repush = timed(
                "framestudy push on it (finds every task present)", push, shared, conn
            )
            assert again.imported == 0
            pulled, t_pull = timed(
                "framestudy pull (snapshot export + save + tidy)", pull, shared, conn
            )
            raw_path = pulled.exports[0].path
            print(
                f"     export: {raw_path.stat().st_size / 1e6:.1f} MB, "
                f"{pulled.report.annotations} annotations, {len(pulled.table)} rows"
            )
            users = users_by_id(conn)
            t_parse = []
            for attempt in range(1, 4):
                parsed, t_read = timed(
                    f"  read_export (JSON decode + checks), run {attempt}", read_export, raw_path
                )
                (table, report), t_tidy = timed(
                    f"  tidy_from_export (normalise + validate, schema), run {attempt}",
                    tidy_from_export,
                    parsed,
                    schema=schema,
                    users=users,
                )
                assert report.used == 3 * args.articles and report.problems == 0, report.summary()
                t_parse.append(t_read + t_tidy)
                del parsed, table, report
            print(
                f"     parse + normalise: best {min(t_parse):.2f} s of "
                f"{', '.join(f'{t:.2f}' for t in t_parse)} (goal <= 2 s)"
            )
            t_same = unchanged_pulls("framestudy pull", shared, conn)
            print(
                f"     nothing changed: best {min(t_same):.2f} s, worst {max(t_same):.2f} s "
                f"(goal <= 2 s; the full pull above: {t_pull:.2f} s)"
            )

        if 4 in sections:
            # -- 4. the SDK's typed calls vs Connection.raw_request ----------------------------
            print("4. label-studio-sdk's typed calls vs framestudy's raw requests (client.py)")
            biggest = max(result.projects, key=lambda p: p.imported).project_id
            listed, _ = timed("remote.list_tasks (raw request)", remote.list_tasks, conn, biggest)
            fields = "id,meta,total_annotations,cancelled_annotations"

            def sdk_list():
                out, page = [], 1
                while len(out) < len(listed):  # the SDK's pager would ask for one page too many
                    pager = conn.sdk.tasks.list(
                        project=biggest, include=fields, page=page, page_size=remote.PAGE_SIZE
                    )
                    out += pager.items or []
                    page += 1
                return out

            timed(f"sdk.tasks.list ({len(listed)} tasks)", sdk_list)
            sample = payloads[coders[0]][:2000]

            def fresh_project(tag: str) -> int:
                title = f"bench import {tag}"
                return conn.sdk.projects.create(title=title, label_config=label_config).id

            timed(
                f"import {len(sample)} tasks (raw request, as push does)",
                lambda: conn.raw_request(
                    "POST",
                    f"api/projects/{fresh_project('raw')}/import",
                    "importing tasks",
                    params={"return_task_ids": "true"},
                    content=json.dumps(sample, ensure_ascii=False).encode("utf-8"),
                ),
            )
            timed(
                f"sdk.projects.import_tasks of {len(sample)} tasks",
                lambda: conn.sdk.projects.import_tasks(
                    id=fresh_project("sdk"), request=sample, return_task_ids=True
                ),
            )
        if 5 in sections:
            incremental_pull(scratch, conn, url, label_config, args)

    finally:
        server.stop(home)
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()

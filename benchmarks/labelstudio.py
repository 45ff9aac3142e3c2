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
4. **the SDK's typed calls vs framestudy's raw requests** (``Connection.raw_request``, the
   one place framestudy bypasses them): listing a project's tasks with ``tasks.list`` against
   :func:`framestudy.labelstudio.remote.list_tasks`, and importing up to 2,000 tasks with
   ``projects.import_tasks`` against the raw request push makes, with the same payloads.

Run: ``.venv/bin/python benchmarks/labelstudio.py`` (``--articles 2000`` for a quick run).
"""

from __future__ import annotations

import argparse
import json
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--chars", type=int, default=2500, help="characters per article")
    args = parser.parse_args()

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

        # -- 1. push vs raw import --------------------------------------------------------
        blind = new_study(scratch / "blind", "bench-blind", tasks)
        conn = connect(home)
        coders = ["ana@bench.example", "ben@bench.example", "cem@bench.example"]
        add_coders(blind, conn, coders)
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
        label_config = blind.labeling_config.read_text(encoding="utf-8")
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
    finally:
        server.stop(home)
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()

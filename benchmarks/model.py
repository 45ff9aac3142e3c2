"""Benchmark of ``framestudy model`` (issue 13's speed goals). Not a test: prints figures.

* **train** (default): simulates a study of ``--outlets`` x ``--articles`` x 3 coders
  (default 10 x 1,000, the issue's size; or times ``--study DIR``), then times
  ``framestudy model train`` (every article-level variable and span label, 5-fold
  cross-validation, 1,000 bootstrap replicates) as a process, start to exit, ``--repeat``
  times, with the process's CPU time and the machine's load before each run; goal <= 60 s.
* ``--push``: against a local Label Studio started as ``benchmarks/labelstudio.py`` does
  (a copy of the test suite's migrated template, else a fresh server), with the articles of
  the trained study (``--study DIR``, or the one simulated here) in one project per study
  (one coder, every article a task): times ``run_push`` (loading the model, its
  suggestions for every article, listing the project's tasks and predictions, importing,
  setting the pre-annotation) against a raw HTTP import of exactly the same prediction
  payloads into an identical project with ``requests`` (same batch size); goal: push
  <= 2 x raw. Then times a second push, which finds every prediction there and imports
  nothing.

* ``--truth``: not a timing; trains in-process on the (simulated) study and prints each
  target's cross-validated answers against the planted truth (``truth_annotations.csv``),
  as alpha beside the majority baseline's alpha: the figures of docs/model.md.

Run: ``.venv/bin/python benchmarks/model.py`` (``--articles 100`` for a quick run),
``.venv/bin/python benchmarks/model.py --push --study DIR``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

from timing import ROOT, report_repeats, run  # noqa: E402  (benchmarks/timing.py)


def bench_train(study: str, repeat: int) -> None:
    report_repeats(("--study", study, "model", "train"), repeat, goal=60)


def _push_study(trained: Path, root: Path, name: str, coder: str):
    """A study with the trained study's articles, schema and model, one coder, no codes."""
    from framestudy import settings
    from framestudy.study import Study

    for folder in ("schemas", "models"):
        shutil.copytree(trained / folder, root / folder)
    (root / "tasks").mkdir(parents=True)
    shutil.copy(trained / "tasks" / "tasks.json", root / "tasks" / "tasks.json")
    (root / "study.yaml").write_text(f"name: {name}\n", encoding="utf-8")
    study = Study(root)
    settings.add_coders(study, [coder])
    return study


def bench_push(trained: Path, scratch: Path) -> None:
    import requests

    from framestudy.labelstudio import remote
    from framestudy.labelstudio.client import connect
    from framestudy.labelstudio.predictions import BATCH_SIZE, tasks_with_version
    from framestudy.labelstudio.push import push
    from framestudy.model.run import load_saved, run_push, suggestion_results
    from framestudy.schema.registry_file import read_registry
    from framestudy.settings import projects
    from framestudy.study import Study

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from labelstudio import start_server  # the server as benchmarks/labelstudio.py starts it

    home = Study(scratch / "home")
    home.root.mkdir()
    start_server(home)
    try:
        state = json.loads((home.labelstudio_dir / "server.json").read_text())
        creds = json.loads((home.labelstudio_dir / "credentials.json").read_text())
        url, token = state["url"], creds["token"]
        conn = connect(home)
        ours = _push_study(trained, scratch / "ours", "bench-model", "ana@bench.example")
        raw = _push_study(trained, scratch / "raw", "bench-model-raw", "ana@bench.example")
        for study in (ours, raw):
            push(study, conn)
        ours_id = projects(ours, conn.url)[0].id
        raw_id = projects(raw, conn.url)[0].id
        n_tasks = remote.fingerprint(conn, ours_id)[0]
        print(f"{n_tasks} tasks per project; label-studio at {url}")

        # the payloads model push sends, for the raw project's task ids
        saved = load_saved(ours)
        texts = {t["data"]["article_id"]: t["data"]["text"]
                 for t in json.loads(ours.tasks_json.read_text())}
        _, results = suggestion_results(saved, read_registry(ours.registry), texts,
                                        sorted(texts))
        version = saved["meta"]["model_version"]
        tasks = {t.article_id: t.id for t in remote.list_tasks(conn, raw_id)}
        payloads = []
        for article_id, (result, score) in results.items():
            if result:
                payloads.append({"task": tasks[article_id], "result": result,
                                 "model_version": version, "score": score})
        session = requests.Session()
        session.headers["Authorization"] = f"Token {token}"
        start = time.perf_counter()
        for first in range(0, len(payloads), BATCH_SIZE):
            answer = session.post(f"{url}/api/projects/{raw_id}/import/predictions",
                                  json=payloads[first:first + BATCH_SIZE], timeout=600)
            answer.raise_for_status()
        t_raw = time.perf_counter() - start
        print(f"  raw HTTP import of {len(payloads)} predictions ({BATCH_SIZE} a request): "
              f"{t_raw:.2f} s")

        start = time.perf_counter()
        done = run_push(ours, lambda: conn, include_reliability=True)
        t_push = time.perf_counter() - start
        print(f"  model push ({done.push.n_pushed} predictions, model loaded and every "
              f"suggestion computed): {t_push:.2f} s = {t_push / t_raw:.2f} x raw "
              "(goal <= 2 x)")
        start = time.perf_counter()
        again = run_push(ours, lambda: conn, include_reliability=True)
        print(f"  second model push ({again.push.n_pushed} pushed, {again.push.n_existing} "
              f"already there): {time.perf_counter() - start:.2f} s, of which")
        start = time.perf_counter()
        remote.list_tasks(conn, ours_id)
        print(f"    listing the project's tasks: {time.perf_counter() - start:.2f} s")
        start = time.perf_counter()
        found = tasks_with_version(conn, ours_id, version)
        print(f"    finding the {len(found)} tasks with this model version: "
              f"{time.perf_counter() - start:.2f} s")
    finally:
        from framestudy.labelstudio import server

        server.stop(home)


def truth_table(root: Path) -> None:
    """Alpha of the cross-validated answers against the planted truth, per target."""
    import pandas as pd

    from framestudy.analysis.consensus import consensus
    from framestudy.analysis.reliability_data import read_annotations
    from framestudy.model.evaluate import alpha_rows
    from framestudy.model.features import (
        SPAN_LABEL,
        document_gold,
        sentence_gold,
        sentence_table,
        targets,
    )
    from framestudy.model.train import train
    from framestudy.schema.registry_file import read_registry

    registry = read_registry(root / "schemas" / "registry.json")
    annotations = read_annotations(root / "annotations" / "annotations.csv")
    tasks = json.loads((root / "tasks" / "tasks.json").read_text(encoding="utf-8"))
    texts = {t["data"]["article_id"]: t["data"]["text"] for t in tasks}
    result = train(annotations, registry, texts, n_boot=0)
    truth = pd.read_csv(root / "truth_annotations.csv", dtype=str, keep_default_na=False)
    for column in ("span_start", "span_end"):
        truth[column] = pd.to_numeric(truth[column]).astype("Int64")
    table = consensus(truth, [r for r in registry if r["kind"] == "document"])
    sentences = sentence_table(texts)
    print("| target | units | α vs truth | baseline α vs truth | α vs consensus |")
    print("|---|---:|---:|---:|---:|")
    for target in targets(registry):
        if target.kind == SPAN_LABEL:
            gold = sentence_gold(truth, sentences, target)
            rows = sentences.loc[gold.index]
            units = (rows["article_id"] + ":" + rows["start"].astype(str) + "-"
                     + rows["end"].astype(str))
            known = pd.Series(gold.to_numpy(), index=units.to_numpy())
        else:
            known = document_gold(table, target)
        answers = result.cv_answers[result.cv_answers["target"] == target.name]
        answers = answers[answers["unit"].isin(known.index)]
        true = known.reindex(answers["unit"]).to_numpy()
        model = alpha_rows(true, answers["model"].to_numpy(), target.scale, n_boot=0)
        base = alpha_rows(true, answers["baseline"].to_numpy(), target.scale, n_boot=0)
        cons = alpha_rows(answers["gold"].to_numpy(), answers["model"].to_numpy(),
                          target.scale, n_boot=0)
        print(f"| {target.name} | {len(answers):,} | {model['alpha']:.3f} | "
              f"{base['alpha']:.3f} | {cons['alpha']:.3f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--outlets", type=int, default=10)
    parser.add_argument("--articles", type=int, default=1000, help="articles per outlet")
    parser.add_argument("--repeat", type=int, default=1, help="timed runs of model train")
    parser.add_argument("--study", help="an existing simulated study instead of a new one")
    parser.add_argument("--push", action="store_true",
                        help="time model push against the raw import (trains first if the "
                        "study has no model)")
    parser.add_argument("--truth", action="store_true",
                        help="print the model's alpha against the planted truth (no timing)")
    opts = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="framestudy-bench-model-"))
    try:
        if opts.study:
            study = opts.study
        else:
            study = str(scratch / "study")
            made, _ = run("simulate", "--outlets", str(opts.outlets), "--articles-per-outlet",
                          str(opts.articles), "--coders", "3", "--seed", "1",
                          "--truth-units", "0", "-o", study)
            print(f"{opts.outlets} outlets x {opts.articles:,} articles x 3 coders: simulate "
                  f"{made:.1f} s")
        if opts.truth:
            truth_table(Path(study))
        elif opts.push:
            if not (Path(study) / "models" / "model.joblib").is_file():
                run("--study", study, "model", "train")
            bench_push(Path(study), scratch)
        else:
            bench_train(study, opts.repeat)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()

"""Benchmark: a 10,000-task x 3-coder Label Studio export -> the tidy table (goal <= 2 s).

Builds a synthetic JSON export shaped like Label Studio 1.23's (30,000 annotations, each with
the ten document variables of framestudy's schema, three spans with their per-region
attributes; one article in ten has an emoji before its spans, so offsets need converting),
writes it to a file and times :func:`framestudy.annotations.read_export` (the JSON parse),
:func:`framestudy.annotations.tidy_from_export` with the study's schema and with inferred
variables, and the two together (what ``pull`` does after the download).

Run: .venv/bin/python benchmarks/export_parse.py [--tasks 10000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import tempfile
import time
from pathlib import Path

from framestudy.annotations import read_export, tidy_from_export
from framestudy.schema import load_schema

REPO = Path(__file__).resolve().parents[1]
SENTENCE = (
    "Officials in Brussels said on Tuesday that the alliance would keep its door open, "
    "while Moscow repeated that enlargement broke a promise made in 1990. "
)


def build_export(n_tasks: int, registry: list[dict], schema_hash: str, seed: int = 1) -> list[dict]:
    rng = random.Random(seed)
    document = [r for r in registry if r["kind"] == "document"]
    attributes = [r for r in registry if r["kind"] == "span_attribute"]
    labels = next(r for r in registry if r["kind"] == "span_label")["values"]

    def pick(record):
        allowed = record["values"] + record["missing_values"]
        if record["multiple"]:
            return rng.sample(allowed, rng.randint(1, 3))
        return [rng.choice(allowed)]

    tasks = []
    ann_id = 0
    for t in range(n_tasks):
        text = ("😀 " if t % 10 == 0 else "") + SENTENCE * 12  # ~1,900 characters
        annotations = []
        for uid in (2, 3, 4):
            ann_id += 1
            result = [
                {
                    "id": f"{ann_id}-{r['variable']}",
                    "type": "choices",
                    "from_name": r["variable"],
                    "to_name": "text",
                    "origin": "manual",
                    "value": {"choices": pick(r)},
                }
                for r in document
            ]
            for k in range(3):
                start = rng.randrange(0, len(text) - 60)
                end = start + rng.randint(5, 60)
                label = rng.choice(labels)
                region = {
                    "start": start,
                    "end": end,
                    "text": text[start:end],
                }
                rid = f"{ann_id}-r{k}"
                result.append(
                    {
                        "id": rid,
                        "type": "labels",
                        "from_name": "span",
                        "to_name": "text",
                        "origin": "manual",
                        "value": {**region, "labels": [label]},
                    }
                )
                for r in attributes:
                    if label in r["labels"]:
                        result.append(
                            {
                                "id": rid,
                                "type": "choices",
                                "from_name": r["variable"],
                                "to_name": "text",
                                "origin": "manual",
                                "value": {**region, "choices": pick(r)},
                            }
                        )
            annotations.append(
                {
                    "id": ann_id,
                    "completed_by": uid,
                    "result": result,
                    "was_cancelled": False,
                    "ground_truth": False,
                    "created_at": "2026-11-21T10:00:00.000000Z",
                    "updated_at": "2026-11-21T10:05:00.000000Z",
                    "draft_created_at": None,
                    "lead_time": rng.uniform(30, 900),
                    "task": t + 1,
                    "project": 1,
                }
            )
        tasks.append(
            {
                "id": t + 1,
                "project": 1,
                "data": {
                    "text": text,
                    "article_id": f"art-{t:05d}",
                    "outlet": f"outlet-{t % 7}",
                    "schema_hash": schema_hash,
                },
                "annotations": annotations,
                "drafts": [],
                "predictions": [],
            }
        )
    return tasks


def timed(fn, repeat: int) -> tuple[str, object]:
    """Median wall-clock and CPU seconds of ``repeat`` runs (CPU time is steadier on a busy box)."""
    wall, cpu, out = [], [], None
    for _ in range(repeat):
        out = None  # free the previous run's result outside the timing
        w, c = time.perf_counter(), time.process_time()
        out = fn()
        wall.append(time.perf_counter() - w)
        cpu.append(time.process_time() - c)
    return f"{statistics.median(wall):6.2f} s wall, {statistics.median(cpu):6.2f} s CPU", out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    schema = load_schema(REPO / "schemas" / "framing.yaml")
    registry = schema.registry().to_dict("records")
    tasks = build_export(args.tasks, registry, schema.hash)
    n_ann = sum(len(t["annotations"]) for t in tasks)
    n_res = sum(len(a["result"]) for t in tasks for a in t["annotations"])
    users = {2: "c1@x.org", 3: "c2@x.org", 4: "c3@x.org"}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "export.json"
        path.write_text(json.dumps(tasks, ensure_ascii=False), encoding="utf-8")
        size = path.stat().st_size
        del tasks
        print(
            f"export: {args.tasks} tasks, {n_ann} annotations, {n_res} results, {size / 1e6:.0f} MB"
        )

        t_read, tasks = timed(lambda: read_export(path), args.repeat)
        t_schema, (table, report) = timed(
            lambda: tidy_from_export(tasks, schema=schema, users=users), args.repeat
        )
        assert report.problems == 0 and report.accounted, report.summary()
        t_infer, (inferred, _) = timed(lambda: tidy_from_export(tasks, users=users), args.repeat)
        assert len(inferred) == len(table)
        tasks = inferred = None  # one copy of the export in memory at a time
        t_both, _ = timed(
            lambda: tidy_from_export(read_export(path), schema=schema, users=users), args.repeat
        )
    print(f"rows: {len(table)}")
    print(f"read_export (JSON parse):            {t_read}")
    print(f"tidy_from_export, with the schema:   {t_schema}   (goal <= 2 s)")
    print(f"tidy_from_export, inferred:          {t_infer}")
    print(f"read_export + tidy_from_export:      {t_both}")
    load = os.getloadavg()[0]
    print(f"median of {args.repeat} runs; load average {load:.1f} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()

"""Per-module mutation scores from mutmut's results (``make mutation``; docs/mutation.md).

mutmut 3 prints one running total for all files and ``mutmut export-cicd-stats`` writes the
same totals; neither gives a figure per module. This script reads the per-file results
mutmut keeps beside each mutated copy (``mutants/<source path>.meta``, JSON: the exit code
of every mutant) and prints, for each module listed in ``[tool.mutmut] only_mutate``:

- ``mutants`` -- how many mutmut made; ``checked`` -- how many have a result;
- ``killed`` -- a test failed (a timeout counts as killed: the mutant made the code hang);
- ``survived`` -- every covering test passed; ``no tests`` -- no selected test reaches the
  mutated function (a survivor too);
- ``equivalent`` -- survivors listed in docs/mutation.md as equivalent mutants (no test can
  tell them from the original; each with its reason there);
- ``score`` = killed / (checked - equivalent), in percent.

Usage::

    python benchmarks/mutation_scores.py                  # the table
    python benchmarks/mutation_scores.py --survivors      # and the names of the survivors
    python benchmarks/mutation_scores.py --markdown       # the table for docs/mutation.md
    python benchmarks/mutation_scores.py --fail-under 80  # exit 1 below 80% (checked modules)

Inspect a survivor with ``.venv/bin/mutmut show NAME``.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tomllib
from pathlib import Path

from mutmut.stats import status_by_exit_code

REPO = Path(__file__).resolve().parents[1]
DOC = REPO / "docs" / "mutation.md"
KILLED = {"killed", "timeout"}
SURVIVED = {"survived", "no tests"}
# an equivalent mutant in docs/mutation.md: "- `framestudy.x.y.x_f__mutmut_3`: why"
EQUIVALENT_LINE = re.compile(r"^\s*[-*]\s+`([\w.ǁ]+__mutmut_\d+)`:")


def modules(root: Path) -> list[str]:
    config = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    return list(config["tool"]["mutmut"]["only_mutate"])


def equivalents(doc: Path) -> set[str]:
    if not doc.exists():
        return set()
    return {
        m.group(1)
        for line in doc.read_text(encoding="utf-8").splitlines()
        if (m := EQUIVALENT_LINE.match(line))
    }


def module_scores(root: Path, equivalent: set[str]) -> list[dict]:
    rows = []
    for source in modules(root):
        meta = root / "mutants" / (source + ".meta")
        codes = (
            json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"] if meta.exists() else {}
        )
        status = {name: status_by_exit_code[code] for name, code in codes.items()}
        checked = {n: s for n, s in status.items() if s != "not checked"}
        killed = sorted(n for n, s in checked.items() if s in KILLED)
        survived = sorted(n for n, s in checked.items() if s in SURVIVED)
        equiv = sorted(n for n in survived if n in equivalent)
        other = sorted(n for n, s in checked.items() if s not in KILLED | SURVIVED)
        denominator = len(checked) - len(equiv)
        rows.append(
            {
                "module": source.removeprefix("src/"),
                "mutants": len(codes),
                "checked": len(checked),
                "killed": len(killed),
                "survived": sum(status[n] == "survived" for n in survived),
                "no_tests": sum(status[n] == "no tests" for n in survived),
                "equivalent": len(equiv),
                "other": other,
                "survivors": [n for n in survived if n not in equivalent],
                "score": 100.0 * len(killed) / denominator if denominator else float("nan"),
            }
        )
    return rows


def text_table(rows: list[dict]) -> str:
    head = f"{'module':44} {'mutants':>7} {'checked':>7} {'killed':>6} {'survived':>8} " \
        f"{'no tests':>8} {'equiv.':>6} {'score':>6}"
    lines = [head, "-" * len(head)]
    for r in rows:
        score = "-" if r["checked"] == 0 else f"{r['score']:5.1f}%"
        lines.append(
            f"{r['module']:44} {r['mutants']:7} {r['checked']:7} {r['killed']:6} "
            f"{r['survived']:8} {r['no_tests']:8} {r['equivalent']:6} {score:>6}"
        )
    return "\n".join(lines)


def markdown_table(rows: list[dict]) -> str:
    lines = [
        "| module | mutants | killed | survived | no tests | equivalent | score |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        score = "not run" if r["checked"] == 0 else f"{r['score']:.1f}%"
        lines.append(
            f"| `{r['module']}` | {r['checked']} | {r['killed']} | {r['survived']} | "
            f"{r['no_tests']} | {r['equivalent']} | {score} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=REPO, help="the repository (mutants/ in it)")
    parser.add_argument("--survivors", action="store_true", help="list the surviving mutants")
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    parser.add_argument("--fail-under", type=float, default=None, metavar="PERCENT",
                        help="exit 1 when a module with results scores below PERCENT")
    args = parser.parse_args(argv)
    if not (args.root / "mutants").is_dir():
        print("no mutants/ folder: run `make mutation` (or `.venv/bin/mutmut run`) first",
              file=sys.stderr)
        return 2
    rows = module_scores(args.root, equivalents(args.root / "docs" / "mutation.md"))
    print(markdown_table(rows) if args.markdown else text_table(rows))
    for r in rows:
        if r["checked"] < r["mutants"]:
            print(f"note: {r['module']}: {r['mutants'] - r['checked']} mutants not checked yet")
        if r["other"]:
            print(f"note: {r['module']}: {len(r['other'])} mutants with another result "
                  f"(suspicious, segfault, interrupted): {', '.join(r['other'][:5])}")
    if args.survivors:
        for r in rows:
            for name in r["survivors"]:
                print(f"survivor: {name}")
    if args.fail_under is not None:
        low = [r for r in rows if r["checked"] and r["score"] < args.fail_under]
        for r in low:
            print(f"below {args.fail_under:g}%: {r['module']} ({r['score']:.1f}%)", file=sys.stderr)
        return 1 if low else 0
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Where the time of `leadgate decide` goes: samples it with py-spy and buckets the stacks.

    python bench/profile_decide.py --facts bench/data/facts-1m.jsonl --lines 200000

Needs py-spy (`pip install py-spy`). Takes the first --lines lines of --facts, runs
`leadgate decide` on them under `py-spy record --format raw` and assigns each sample to the first
bucket (in the order below) whose frame appears in its stack, so nested costs (a phone number parsed
inside a re-evaluation for next_allowed_at) count once, in the most specific bucket.
"""

from __future__ import annotations

import argparse
import collections
import os
import subprocess
import sys
from pathlib import Path

VENV_BIN = Path(sys.executable).parent

# (bucket, substrings of a frame "function (file:line)"); the first bucket matched by any frame wins.
BUCKETS: list[tuple[str, tuple[str, ...]]] = [
    ("error path (invalid lines: error_record)", ("error_record (",)),
    ("caller ID check incl. its parsing (evaluators.caller_id)", ("caller_id (leadgate/core/evaluators.py",)),
    ("contact phone parsing (parse_phone)", ("parse_phone (leadgate/core/contact.py",
                                             "parse_phone (leadgate/core/phone.py")),
    ("e-mail normalisation (email_validator)", ("normalise_email (",)),
    ("validation (Facts.model_validate_json)", ("model_validate_json (",)),
    ("calling hours + holidays (calendar)", ("calling_hours (leadgate/core/evaluators.py",)),
    ("rulebook version string (Rulebook.version)", ("version (leadgate/rules/model.py",)),
    ("rules_for (rule selection)", ("rules_for (leadgate/rules/model.py",)),
    ("other evaluators + engine (decide)", ("decide (leadgate/core/engine.py",)),
    ("serialisation: Decision.as_dict", ("as_dict (leadgate/core/decision.py",)),
    ("serialisation: json encode", ("encode (json/encoder.py", "iterencode (json/encoder.py")),
    ("read/write loop (file I/O, decide_command)", ("decide_command (leadgate/cli/decide.py",)),
    ("startup (imports, rulebook loading)", ("",)),
]
NEXT = "_next_allowed (leadgate/core/engine.py"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--facts", type=Path, default=Path(__file__).parent / "data" / "facts-1m.jsonl")
    parser.add_argument("--lines", type=int, default=200_000)
    parser.add_argument("--rate", type=int, default=200)
    parser.add_argument("--src", type=Path, help="a copy of src/ to profile (default: the installed leadgate)")
    parser.add_argument("--raw", type=Path, default=Path("/tmp/leadgate-decide.pyspy.txt"))
    parser.add_argument("--from-raw", action="store_true", help="only bucket an existing --raw file")
    args = parser.parse_args(argv)
    sample = Path(f"/tmp/leadgate-profile-{args.lines}.jsonl")
    if not args.from_raw:
        record(args, sample)
    bucket(args)
    return 0


def record(args: argparse.Namespace, sample: Path) -> None:
    with args.facts.open(encoding="utf-8") as src, sample.open("w", encoding="utf-8") as dst:
        for _, line in zip(range(args.lines), src, strict=False):
            dst.write(line)
    subprocess.run([str(VENV_BIN / "py-spy"), "record", "--rate", str(args.rate), "--format", "raw",
                    "--output", str(args.raw), "--", str(VENV_BIN / "leadgate"), "decide", "--facts", str(sample),
                    "--out", "/tmp/leadgate-profile-out.jsonl"], check=False, stderr=subprocess.DEVNULL,
                   env={**os.environ, **({"PYTHONPATH": str(args.src.resolve())} if args.src else {})})


def bucket(args: argparse.Namespace) -> None:
    counts: collections.Counter[str] = collections.Counter()
    in_next = 0
    total = 0
    for row in args.raw.read_text().splitlines():
        stack, _, n = row.rpartition(" ")
        count = int(n)
        total += count
        in_next += count * (NEXT in stack)
        for name, needles in BUCKETS:
            if any(needle in stack for needle in needles):
                counts[name] += count
                break
    print(f"{total} samples at {args.rate} Hz, {args.lines:,} lines of {args.facts}")
    startup = counts[BUCKETS[-1][0]]
    print("| where | share of all samples | share of the per-line work (startup excluded) |\n|---|---:|---:|")
    for name, _ in BUCKETS:
        per_line = "" if name == BUCKETS[-1][0] else f"{100 * counts[name] / (total - startup):.1f} %"
        print(f"| {name} | {100 * counts[name] / total:.1f} % | {per_line} |")
    print(f"| (across buckets: inside the re-evaluation for next_allowed_at) | {100 * in_next / total:.1f} % | "
          f"{100 * in_next / (total - startup):.1f} % |")
    # What "other evaluators + engine" is made of: the frame right below the engine's own frames.
    rest: collections.Counter[str] = collections.Counter()
    skip = [needle for name, needles in BUCKETS[:8] for needle in needles]
    for row in args.raw.read_text().splitlines():
        stack, _, n = row.rpartition(" ")
        if "decide (leadgate/core/engine.py" not in stack or any(s in stack for s in skip):
            continue
        frames = stack.split(";")
        last = max(i for i, f in enumerate(frames) if "leadgate/core/engine.py" in f)
        below = frames[last + 1] if last + 1 < len(frames) else frames[last]
        rest[below.split(" (")[0] if last + 1 < len(frames) else "engine itself"] += int(n)
    print("\nInside 'other evaluators + engine' (share of the per-line work):")
    for name, n in rest.most_common(12):
        print(f"- {name}: {100 * n / (total - startup):.1f} %")


if __name__ == "__main__":
    raise SystemExit(main())

"""Write a messy, realistic supplier lead file (CSV) for benchmarking `leadgate intake`.

    python bench/make_leads.py --n 1000000 --invalid 0.05 --out bench/data/leads-1m.csv --seed 1

Deterministic for a given seed. What a row looks like (approximate shares):

- Dutch column names as a supplier sends them (`Naam;Telefoon;E-mail;Land;Bron;...`), `;` delimiter,
  UTF-8 with BOM (Excel's "CSV UTF-8"), CRLF line ends;
- countries NL/BE/FR/DE/GB 30/20/25/15/10 %, numbers in the formats of make_facts.py (national with
  trunk 0, `+CC`, `00CC`, `+CC (0)...`, `(0xx) ...`, spaces, dashes, dots), mobile 75 %; 30 % of rows
  also carry an e-mail address, 5 % only an e-mail address; ~2 % repeat an earlier row's number;
- ~30 % carry consent columns (channel, text, time with offset, opt-in source);
- 4 source codes; two columns leadgate ignores (Interesse, Opmerking);
- `--invalid` of the rows broken in one way each: letters or too few digits in the number, a broken
  e-mail address, no contact at all, a consent time in the future or without offset, no consent text.
"""

from __future__ import annotations

import argparse
import random
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import make_facts as facts

HEADER = ["Naam", "Telefoon", "E-mail", "Land", "Bron", "Kanaal", "Toestemmingstekst", "Opt-in datum",
          "Opt-in bron", "Interesse", "Opmerking"]
SOURCES = ("LP-ENERGY-07", "LP-SOLAR-02", "COREG-12", "EVENT-2026")
INTERESTS = ("zonnepanelen", "warmtepomp", "isolatie", "energiecontract", "", "")
BROKEN = ("letters", "short", "email", "nothing", "future", "naive", "no_text")
NOW = datetime(2026, 11, 20, tzinfo=UTC)


def _cell(value: str) -> str:
    return f'"{value}"' if any(c in value for c in ';"\n') else value


def row(rng: random.Random, index: int, earlier: list[str], broken: str | None) -> list[str]:
    country = rng.choices(facts.COUNTRIES, facts.COUNTRY_WEIGHTS)[0]
    first, last = rng.choice(facts.FIRST), rng.choice(facts.LAST)
    name = f"{first.title()} {last.title()}" if rng.random() < 0.9 else ""
    if earlier and rng.random() < 0.02:
        phone = rng.choice(earlier)
    else:
        phone = facts.messy_phone(rng, country, facts.valid_national_number(rng, country, rng.random() < 0.75), True)
        if len(earlier) < 10_000:
            earlier.append(phone)
    r = rng.random()
    email = f"{first}.{last}{index}@{rng.choice(facts.DOMAINS[country])}" if r < 0.35 else ""
    if r < 0.05:
        phone = ""
    consent = ["", "", "", ""]
    if rng.random() < 0.3 or broken in ("future", "naive", "no_text"):
        given = NOW - timedelta(seconds=rng.randrange(3 * 365 * 86400))
        consent = ["telefoon" if phone else "e-mail", rng.choice(facts.TEXTS),
                   given.astimezone(facts.TZ[country]).isoformat(timespec="seconds"), rng.choice(SOURCES)]
    if broken == "letters":
        phone = (phone or f"+{facts.CC[country]} 6") + "O"
    elif broken == "short":
        phone = "0" + str(rng.randrange(10_000, 99_999))
    elif broken == "email":
        email, phone = f"{first}.{last}@", ""
    elif broken == "nothing":
        phone = email = ""
    elif broken == "future":
        consent[2] = (NOW + timedelta(days=400)).isoformat(timespec="seconds")
    elif broken == "naive":
        consent[2] = consent[2][:19]
    elif broken == "no_text":
        consent[1] = ""
    return [name, phone, email, country, rng.choice(SOURCES), *consent, rng.choice(INTERESTS),
            "bel na 17u" if rng.random() < 0.05 else ""]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--invalid", type=float, default=0.05)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    earlier: list[str] = []
    with args.out.open("w", encoding="utf-8-sig", newline="") as out:
        out.write(";".join(HEADER) + "\r\n")
        for index in range(args.n):
            broken = rng.choice(BROKEN) if rng.random() < args.invalid else None
            out.write(";".join(_cell(v) for v in row(rng, index, earlier, broken)) + "\r\n")
    print(f"{args.n:,} rows -> {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()

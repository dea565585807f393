"""Write N synthetic but realistic facts lines (DESIGN.md's contract) for benchmarking `leadgate decide`.

    python bench/make_facts.py --n 1000000 --out bench/data/facts-1m.jsonl --seed 1

Deterministic for a given seed. The mix (all figures approximate, per line):

- countries NL/BE/FR/DE/GB (30/20/25/15/10 %); ~3 % of numbers are from another country than
  `contact.country` (cross-border) and ~2 % carry no `contact.country` (only +CC/00CC formats then);
- channel phone/email/sms 60/30/10 %; contact kinds consumer/sole_trader/business/company_general
  55/15/20/10 %;
- messy phone formats: national with trunk 0, +CC, 00CC, "+CC (0)...", grouped with spaces, dashes,
  dots or nothing; ~4 % of numbers are random digits that may not be valid;
- ~80 % of lines are a new person (fresh number/e-mail), ~20 % re-contact a person seen before, so the
  number of distinct phone numbers is ~0.8 N (the parse cache of 65,536 entries does not hold them);
- 0-3 consents (mostly for the line's channel, some without proof, withdrawn, single-use, future),
  customers (25 %), objections (5 %), register checks (for phone; listed 15 %), 0-5 attempts,
  ~60 campaigns (all sectors, lawful bases, caller IDs), sources of every kind;
- `at` uniform over 2021-01-01 .. 2027-12-31 at any hour, written in the contact's local offset,
  in UTC ("Z") or in another offset;
- ~2 % invalid lines (naive datetime, impossible date, unknown field, wrong type, bad enum, number as
  phone, "yes" as boolean) to exercise the error path.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import phonenumbers

COUNTRIES = ("NL", "BE", "FR", "DE", "GB")
COUNTRY_WEIGHTS = (30, 20, 25, 15, 10)
CC = {"NL": "31", "BE": "32", "FR": "33", "DE": "49", "GB": "44"}
TZ = {"NL": ZoneInfo("Europe/Amsterdam"), "BE": ZoneInfo("Europe/Brussels"), "FR": ZoneInfo("Europe/Paris"),
      "DE": ZoneInfo("Europe/Berlin"), "GB": ZoneInfo("Europe/London")}
REGISTERS = {"NL": ("nl-bel-me-niet",), "BE": ("be-dncm",), "FR": ("fr-bloctel",), "DE": (),
             "GB": ("gb-tps", "gb-ctps")}
CHANNELS = ("phone", "email", "sms")
CHANNEL_WEIGHTS = (60, 30, 10)
KINDS = ("consumer", "sole_trader", "business", "company_general")
KIND_WEIGHTS = (55, 15, 20, 10)
SECTORS = ("charity", "lottery", "press", "energy", "telecom", "financial", "home_renovation",
           "claims_management", "pensions", "other")
SOURCE_KINDS = ("webform", "purchased_list", "rented_list", "crm", "customer_record", "public_register",
                "public_website", "phonebook", "social_network", "referral")
SOURCE_WEIGHTS = (30, 10, 5, 15, 15, 8, 5, 4, 4, 4)
OUTCOMES = ("no_answer", "busy", "voicemail", "connected", "not_interested", "callback_requested", "opt_out",
            "wrong_number")
OUTCOME_WEIGHTS = (35, 8, 15, 15, 12, 8, 4, 3)
FIRST = ("jan", "sanne", "pieter", "emma", "lucas", "marie", "thomas", "julie", "max", "anna", "oliver",
         "sophie", "noah", "lea", "james", "chloe", "lars", "ines", "bram", "elif")
LAST = ("jansen", "devries", "peeters", "martin", "mueller", "smith", "bakker", "dubois", "schmidt", "jones",
        "janssens", "bernard", "wagner", "taylor", "visser", "lambert", "fischer", "brown", "mertens", "petit")
ROLE = ("info", "sales", "contact", "office", "hello", "support", "verkoop", "accueil", "kontakt", "enquiries")
DOMAINS = {"NL": ("example.nl", "bedrijf.nl", "gmail.com", "ziggo.nl"),
           "BE": ("example.be", "skynet.be", "gmail.com", "telenet.be"),
           "FR": ("example.fr", "orange.fr", "gmail.com", "free.fr"),
           "DE": ("example.de", "web.de", "gmail.com", "gmx.de"),
           "GB": ("example.co.uk", "btinternet.com", "gmail.com", "outlook.com")}
TEXTS = ("Ja, bel mij over energieaanbiedingen.", "Oui, je souhaite être contacté par téléphone.",
         "Yes, you may contact me about offers.", "Ja, ik wil de nieuwsbrief ontvangen.",
         "Ja, Sie dürfen mich zu Angeboten anrufen.", "J'accepte d'être recontacté par nos partenaires.")

START = datetime(2021, 1, 1, tzinfo=UTC)
SPAN_S = int((datetime(2028, 1, 1, tzinfo=UTC) - START).total_seconds())


def national_number(rng: random.Random, country: str, mobile: bool) -> str:
    """A national significant number (no trunk 0) in a plausible range for the country."""
    d = rng.randrange
    if country == "NL":
        return f"6{d(1, 6)}{d(10**7):07d}" if mobile else rng.choice(("20", "10", "30", "70", "40")) + f"{d(10**7):07d}"
    if country == "BE":
        return rng.choice(("470", "471", "472", "475", "476", "477", "478", "479", "484", "485", "486", "487",
                           "488", "489", "491", "492", "493", "494", "495", "496", "497", "498", "499")) \
            + f"{d(10**6):06d}" if mobile else rng.choice(("2", "3", "9")) + f"{d(10**7):07d}"
    if country == "FR":
        return rng.choice("67") + f"{d(10**8):08d}" if mobile else rng.choice("12345") + f"{d(10**8):08d}"
    if country == "DE":
        return rng.choice(("151", "152", "160", "162", "170", "171", "172", "173", "174", "175", "176", "177",
                           "178", "179")) + f"{d(10**7):07d}" if mobile else \
            rng.choice(("30", "40", "69")) + f"{d(10**8):08d}"
    return rng.choice(("74", "75", "77", "78", "79")) + f"{d(10**8):08d}" if mobile else \
        rng.choice(("20", "121", "131", "161")) + f"{d(10**7):07d}"


def valid_national_number(rng: random.Random, country: str, mobile: bool) -> str:
    """Like national_number, but drawn again (at most 20 times) until phonenumbers calls it valid."""
    for _ in range(20):
        nsn = national_number(rng, country, mobile)
        if phonenumbers.is_valid_number(phonenumbers.parse(f"+{CC[country]}{nsn}")):
            return nsn
    return nsn


def group(rng: random.Random, digits: str) -> str:
    sep = rng.choices(("", " ", "-", ".", " "), (35, 35, 12, 8, 10))[0]
    if not sep:
        return digits
    parts, i = [], 0
    while i < len(digits):
        n = rng.choice((2, 2, 3, 4))
        parts.append(digits[i:i + n])
        i += n
    return sep.join(parts)


def messy_phone(rng: random.Random, country: str, nsn: str, has_country: bool) -> str:
    style = rng.choices(("national", "plus", "00", "plus0"), (45, 35, 10, 10))[0]
    if style == "national" and not has_country:
        style = "plus"
    if style == "national":
        if rng.random() < 0.1 and len(nsn) > 6:  # area code in brackets
            return f"(0{nsn[:2]}) {group(rng, nsn[2:])}"
        return "0" + group(rng, nsn)
    cc = CC[country]
    if style == "plus":
        return f"+{cc} {group(rng, nsn)}" if rng.random() < 0.6 else f"+{cc}{nsn}"
    if style == "00":
        return f"00{cc} {group(rng, nsn)}" if rng.random() < 0.5 else f"00{cc}{nsn}"
    return f"+{cc} (0){group(rng, nsn)}"


def iso(moment: datetime, rng: random.Random, country: str) -> str:
    r = rng.random()
    if r < 0.8:
        return moment.astimezone(TZ[country]).isoformat()
    if r < 0.93:
        return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
    return moment.astimezone(timezone(timedelta(hours=rng.choice((-5, 2, 3, 5, 8))))).isoformat()


class Maker:
    def __init__(self, seed: int) -> None:
        self.rng = rng = random.Random(seed)
        self.people: list[dict[str, str | None]] = []
        self.campaigns: list[dict[str, object]] = []
        self.by_country: dict[str, list[dict[str, object]]] = {c: [] for c in COUNTRIES}
        for i in range(60):
            country = COUNTRIES[i % len(COUNTRIES)]
            nsn = valid_national_number(rng, country, False)
            automated = rng.random() < 0.08
            if automated and country == "FR":
                nsn = rng.choice(("162", "163", "270", "271", "377", "378", "424", "425", "568", "569", "948",
                                  "949")) + f"{rng.randrange(10**6):06d}"
            self.campaigns.append({
                "id": f"camp-{i:03d}-{rng.choice(('winter', 'spring', 'retention', 'upsell', 'donors'))}",
                "lawful_basis": rng.choices(("legitimate_interest", "consent", "contract"), (65, 30, 5))[0],
                "lia_approved_at": (date(2020, 6, 1) + timedelta(days=rng.randrange(2400))).isoformat()
                if rng.random() < 0.9 else None,
                "automated_dialer": automated,
                "caller_id": (f"+{CC[country]}{nsn}" if rng.random() < 0.8 else "0" + nsn)
                if rng.random() < 0.97 else None,
                "relevant_to_role": rng.random() < 0.5,
                "sector": rng.choice(SECTORS),
            })
            self.by_country[country].append(self.campaigns[-1])

    def person(self) -> dict[str, str | None]:
        rng = self.rng
        if self.people and rng.random() < 0.2:
            return rng.choice(self.people)
        home = rng.choices(COUNTRIES, COUNTRY_WEIGHTS)[0]
        number_country = rng.choice(COUNTRIES) if rng.random() < 0.03 else home
        has_country = rng.random() > 0.02
        mobile = rng.random() < 0.7
        if rng.random() < 0.04:  # junk: random digits of random length
            phone = "0" + "".join(rng.choice("0123456789") for _ in range(rng.randrange(5, 12)))
        else:
            phone = messy_phone(rng, number_country, valid_national_number(rng, number_country, mobile), has_country)
        first, last = rng.choice(FIRST), rng.choice(LAST)
        local = rng.choice(ROLE) if rng.random() < 0.1 else \
            rng.choice((f"{first}.{last}", f"{first[0]}{last}", f"{first}{rng.randrange(1000)}"))
        email = f"{local}@{rng.choice(DOMAINS[home])}"
        r = rng.random()
        if r < 0.05:
            email = email.upper()
        elif r < 0.07:
            email = email.replace("@", " at ")  # invalid address
        p = {"phone": phone, "email": email, "country": home if has_country else None}
        if len(self.people) < 200_000:
            self.people.append(p)
        else:
            self.people[rng.randrange(len(self.people))] = p
        return p

    def line(self, n: int) -> dict[str, object]:
        rng = self.rng
        person = self.person()
        country = person["country"] or "NL"
        channel = rng.choices(CHANNELS, CHANNEL_WEIGHTS)[0]
        kind = rng.choices(KINDS, KIND_WEIGHTS)[0]
        at = START + timedelta(seconds=rng.randrange(SPAN_S))
        campaign = dict(rng.choice(self.by_country[country] if rng.random() < 0.9 else self.campaigns))
        if campaign["lia_approved_at"] is not None:  # most balancing tests are current, some stale or future
            campaign["lia_approved_at"] = (at - timedelta(days=rng.randrange(-20, 420))).date().isoformat()
        contact: dict[str, object] = {"kind": kind, "phone": person["phone"], "email": person["email"],
                                      "country": person["country"]}
        if kind in ("business", "sole_trader") and rng.random() < 0.5:
            contact["job_title"] = rng.choice(("Inkoper", "Directeur", "Office manager", "CFO", "Gérant"))
        facts: dict[str, object] = {"id": f"case-{n}" if rng.random() < 0.9 else n, "at": iso(at, rng, country),
                                    "channel": channel, "contact": contact}
        if rng.random() < 0.25:
            ended = None if rng.random() < 0.4 else (at - timedelta(days=rng.randrange(-30, 2000))).date().isoformat()
            facts["customer"] = {"paid": rng.random() < 0.8, "relationship_ended": ended}
        consents = []
        for _ in range(rng.choices((0, 1, 2, 3), (35, 40, 18, 7))[0]):
            given = at - timedelta(seconds=rng.randrange(-86_400 * 10, 86_400 * 900))
            c: dict[str, object] = {
                "channel": channel if rng.random() < 0.8 else rng.choice(CHANNELS),
                "purpose": rng.choice(("energy offers", "newsletter", "partner offers", "donations")),
                "given_at": iso(given, rng, country),
                "text": rng.choice(TEXTS) if rng.random() < 0.95 else None,
                "source": f"LP-{rng.choice(('ENERGY', 'TEL', 'FIN', 'CHARITY', 'PRESS'))}-{rng.randrange(40):02d}"
                if rng.random() < 0.95 else None,
                "single_use": rng.random() < 0.1,
                "used_at": None, "withdrawn_at": None,
                "own_initiative": rng.random() < 0.1,
            }
            if c["single_use"] and rng.random() < 0.5:
                c["used_at"] = iso(given + timedelta(days=rng.randrange(1, 60)), rng, country)
            if rng.random() < 0.07:
                c["withdrawn_at"] = iso(given + timedelta(days=rng.randrange(1, 400)), rng, country)
            if campaign["automated_dialer"] and rng.random() < 0.5:
                c["automated_calls"] = True
            consents.append(c)
        if consents or rng.random() < 0.5:
            facts["consents"] = consents
        if rng.random() < 0.05:
            facts["objections"] = [{"channel": rng.choice(("all", "phone", "email", "sms")),
                                    "at": iso(at - timedelta(days=rng.randrange(-30, 1500)), rng, country)}]
        if channel != "email":
            regs = []
            for name in REGISTERS[country]:
                if rng.random() < 0.75:
                    listed = rng.random() < 0.15  # (draw order kept: the same seed gives the same file)
                    hours = rng.randrange(-24, 24 * 4) if rng.random() < 0.75 else rng.randrange(24 * 4, 24 * 60)
                    regs.append({"name": name, "listed": listed,
                                 "checked_at": iso(at - timedelta(hours=hours), rng, country)})
            if regs or rng.random() < 0.3:
                facts["registers"] = regs
        attempts = []
        for _ in range(rng.choices((0, 1, 2, 3, 4, 5), (45, 20, 15, 10, 6, 4))[0]):
            a: dict[str, object] = {"at": iso(at - timedelta(minutes=rng.randrange(-600, 60 * 24 * 120)), rng, country),
                                    "outcome": rng.choices(OUTCOMES, OUTCOME_WEIGHTS)[0]}
            if rng.random() < 0.3:
                a["campaign"] = rng.choice(self.campaigns)["id"]
            if rng.random() < 0.4:
                a["call_centre"] = rng.choice(("CC-Noord", "CC-Bruxelles", "CC-Lyon", "CC-Leeds"))
                a["rings"] = rng.randrange(0, 12)
            attempts.append(a)
        if attempts:
            facts["attempts"] = attempts
        facts["campaign"] = campaign
        if rng.random() < 0.85:
            facts["source"] = {"kind": rng.choices(SOURCE_KINDS, SOURCE_WEIGHTS)[0],
                               "purpose_compatible": rng.choices((True, False, None), (80, 5, 15))[0]}
            if rng.random() < 0.01:
                facts["source"]["disabled"] = True
        if rng.random() < 0.02:
            self.spoil(facts)
        return facts

    def spoil(self, facts: dict[str, object]) -> None:
        """Make the line invalid in one of the ways real feeds get wrong."""
        rng = self.rng
        how = rng.choice(("naive", "naive", "date", "extra", "phone_int", "bool", "channel", "kind", "at_number"))
        if how == "naive":
            facts["at"] = str(facts["at"])[:19]
        elif how == "date":
            facts["at"] = "2026-02-30T10:00:00+01:00"
        elif how == "extra":
            facts["contact"]["telephone"] = facts["contact"]["phone"]  # type: ignore[index]
        elif how == "phone_int":
            facts["contact"]["phone"] = 612345678  # type: ignore[index]
        elif how == "bool":
            facts["campaign"]["automated_dialer"] = "yes"  # type: ignore[index]
        elif how == "channel":
            facts["channel"] = "fax"
        elif how == "kind":
            facts["contact"]["kind"] = "person"  # type: ignore[index]
        else:
            facts["at"] = 1764000000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--out", default=None, help="default: bench/data/facts-<n>.jsonl")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    out = Path(args.out or Path(__file__).parent / "data" / f"facts-{args.n}.jsonl")
    out.parent.mkdir(parents=True, exist_ok=True)
    maker = Maker(args.seed)
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": ")).encode
    with out.open("w", encoding="utf-8") as f:
        buf = []
        for n in range(1, args.n + 1):
            buf.append(dumps(maker.line(n)))
            if len(buf) == 10_000:
                f.write("\n".join(buf) + "\n")
                buf.clear()
        if buf:
            f.write("\n".join(buf) + "\n")
    print(f"wrote {args.n} lines to {out} ({out.stat().st_size / 1e6:.1f} MB)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Permissions and their withdrawal: consents with the exact text shown, when, where (source code) and
how they were given; objections (opt-outs) per channel or for all; and the suppression list of keyed
hashes that keeps an objection in force after the person's data is erased. Every change is a ledger event."""

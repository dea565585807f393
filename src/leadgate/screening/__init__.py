"""Screening: a campaign's candidates (stored, or a lead file) turned into lawful call lists per call
centre, through the decision core, with a reason for every contact left out and the export on the ledger.
The bulk path prepares facts column-wise and decides once per distinct set of facts; it never forks the
rules (a property test holds every row equal to `decide` on that row's facts).
"""

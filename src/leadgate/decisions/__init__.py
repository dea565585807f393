"""Decisions about stored contacts: the facts of the decision contract assembled from the store (person,
contact point, consents, objections and suppressions, customer relationship, attempts, data source,
campaign), handed to the pure core, and on request recorded as evidence (the facts kept, their hash and
the decision in the ledger)."""

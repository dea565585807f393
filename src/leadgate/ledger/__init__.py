"""The evidence ledger: an append-only, hash-chained record of every event that matters for proof
(consents, objections, intakes, campaigns, decisions, exports). Each event's hash covers the previous
hash and its canonical JSON body, so `verify` names the first event that was changed, removed or
reordered; `export` writes the chain as JSON Lines for an auditor."""

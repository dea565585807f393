"""The evidence pack: for a complaint about one phone number or e-mail address, everything leadgate
holds that proves (or disproves) that contacting it was lawful — the person, every consent with its
exact text and source, withdrawals and uses, objections and the suppression list, leads with their
supplier file, customer relationships, contact attempts, recorded decisions (a pre-dial check names the
call centre that asked), double opt-in confirmations, and for each opt-out every call centre that held
the number and whether it was told in time (`propagations`) — in time order, each
tied to the ledger event that records it and re-checked against it (text and batch digests, facts
hashes, the chain itself), so a mismatch or a broken chain is said out loud. `service` assembles the
pack from the store as plain data; `render` writes it as Markdown for a regulator or JSON for the
organisation's compliance officer."""

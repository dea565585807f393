"""Opt-out propagation: every objection and consent withdrawal becomes one durable outbox row per call
centre that received the person (in an export or a pre-dial check), delivered by signed webhook with
retries and backoff, and closed only when the call centre acknowledges it by id. Owns the outbox table,
the signature scheme call centres verify, the delivery loop and the overdue report."""

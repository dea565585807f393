"""Shared plumbing used by every domain package: the error base class (and, later, settings and the
database session). Nothing here knows about a particular law, store or interface."""

"""Do-not-call registers: their snapshots (a full list, or the answer of an upload-and-check service),
the numbers each one lists, and what a register said about a number at a given moment.

A full list is stored as listing intervals (a number is listed from one snapshot until a later one no
longer has it), so a daily 25-million-number file adds only its changes, and any past snapshot can still
be answered for a complaint. A derived, hash-verified Parquet file per snapshot serves bulk screening.
"""

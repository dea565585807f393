"""`leadgate lint-email FILE.eml --campaign ID` (being written)."""

from __future__ import annotations


def lint_email_command() -> None:
    """Check an e-mail message against what the rules require for a campaign."""

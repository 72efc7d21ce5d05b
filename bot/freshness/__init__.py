"""Keeping families' numbers fresh: checks, verification codes, follow-ups, reports."""

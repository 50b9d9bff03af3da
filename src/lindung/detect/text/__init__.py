"""Multilingual text risk detection (issue 3)."""

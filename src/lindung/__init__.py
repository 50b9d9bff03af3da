"""Lindung: open-source child online protection tooling for Southeast Asia."""

__version__ = "0.1.0"

"""Reporting: the public reporting page, the platform reporting API and the evidence vault."""

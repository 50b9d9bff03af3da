"""The Django project that serves Lindung's API and pages."""

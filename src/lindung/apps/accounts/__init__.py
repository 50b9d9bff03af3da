"""Users, organisations, roles and API keys."""

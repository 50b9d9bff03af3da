"""Django apps, one per capability."""

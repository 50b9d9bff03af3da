"""Framework-free detectors: pure functions over bytes and text that return signals.

Nothing below this package may import Django or anything from ``lindung.apps``: the
detectors must stay usable as a plain library, from the CLI and inside workers.
"""

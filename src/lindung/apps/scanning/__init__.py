"""The scan API for platforms: submit content or hashes, get matches and a verdict."""

"""Multilingual text risk detection: normalisation, script and language identification,
lexicons and trainable linear models (see docs/text.md). Framework-free, like all of detect.
"""

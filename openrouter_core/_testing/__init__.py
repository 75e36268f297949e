"""Private implementation of :mod:`openrouter_core.testing` (import from there instead)."""

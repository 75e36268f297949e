"""Implementation of `openrouter_core.models`; import from there."""

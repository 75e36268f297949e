"""The error tree: every failure a call returns inside `Err` (see `openrouter_core._errors` for the tree)."""

from openrouter_core._errors import *  # noqa: F403
from openrouter_core._errors import __all__ as _all
from openrouter_core._errors import __doc__ as _tree

__all__ = sorted(_all)
__doc__ = f"{__doc__}\n\n{_tree}"

"""Base classes that hold the shared msgspec settings of every chat model.

msgspec does not inherit `kw_only`, so every subclass repeats `kw_only=True`.
"""

import msgspec

__all__ = ["BothWaysStruct", "RequestStruct", "ResponseStruct"]


class RequestStruct(msgspec.Struct, omit_defaults=True, forbid_unknown_fields=True, kw_only=True):
    """Strict base for request-only models.

    Optional fields default to `msgspec.UNSET` and are left out of the encoded JSON. `None` means "not
    set" too, for every optional field: it becomes `UNSET` when the struct is made (by hand or decoded),
    so the output of a pydantic or openai `model_dump()`, full of `None`s, is a valid request. Unknown
    keys fail validation, so a typo in a plain dict passed to `msgspec.convert` is reported with its path.
    """

    def __post_init__(self) -> None:
        # One C-level scan first: most requests hold no None, and this runs for every struct decoded.
        if None not in msgspec.structs.astuple(self):
            return
        defaults = self.__struct_defaults__
        for name in self.__struct_fields__[len(self.__struct_fields__) - len(defaults) :]:
            if getattr(self, name) is None:
                setattr(self, name, msgspec.UNSET)


class ResponseStruct(msgspec.Struct, kw_only=True):
    """Lenient base for response-only models.

    Unknown keys are ignored, fields that real responses omit have defaults (`None`, `0`, `""` or an
    empty list) and enums are typed as open `str`, so a new value from the API never fails decoding.
    """


class BothWaysStruct(msgspec.Struct, omit_defaults=True, kw_only=True):
    """Lenient base for models that are decoded from responses and sent back in requests.

    Rule: every optional field defaults to `msgspec.UNSET` and also accepts `null`. Decoding keeps
    the difference between an absent key (`UNSET`) and `null` (`None`), and encoding writes back
    exactly the keys that were present, so a decoded value re-encodes to the same JSON. Unknown keys
    are ignored, as for `ResponseStruct`.
    """

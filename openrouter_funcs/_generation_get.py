"""`generation_get` and `generation_get_async`: `GET /generation?id=`, the cost and provider of a finished
request, as a Result."""

from __future__ import annotations

from collections.abc import Mapping

import httpx

from openrouter_core._call import Call, Planned, planned, run, run_async
from openrouter_core._config import DEFAULT_NOT_FOUND_WAIT_MS, RetryConfig
from openrouter_core._core import OpenRouterCore
from openrouter_core._decode import ResponseDecoder
from openrouter_core._errors import NotFoundResponseError, OpenRouterError, SDKValidationError
from openrouter_core._models._endpoints import GenerationResponse
from openrouter_core._prepare import prepare_get
from openrouter_core.result import Err, Result

__all__ = ["GenerationLookup", "NotFoundWait", "generation_get", "generation_get_async"]

decode_generation = ResponseDecoder(GenerationResponse)


class NotFoundWait:
    """The short back-off of `generation_get` while a just-finished generation is not recorded yet."""

    __slots__ = ("_clock", "_delay", "_until")

    def __init__(self, core: OpenRouterCore, wait_ms: int) -> None:
        self._clock = core.clock
        self._until = core.clock() + max(wait_ms, 0) / 1000
        self._delay = 0.25

    def delay_after(self, res: Result[GenerationResponse, OpenRouterError]) -> float | None:
        """Seconds to wait before asking again after `res`, or None to return it."""
        if res.ok or not isinstance(res.error, NotFoundResponseError):
            return None
        delay = self._delay
        if self._clock() + delay > self._until:
            return None
        self._delay = min(delay * 2, 1.0)
        return delay


class GenerationLookup:
    """The lookup's request, asked again while the API answers 404 for up to `wait_ms`."""

    __slots__ = ("call", "wait_ms")

    def __init__(self, call: Call[GenerationResponse], wait_ms: int) -> None:
        self.call = call
        self.wait_ms = wait_ms

    def run(self, core: OpenRouterCore) -> Result[GenerationResponse, OpenRouterError]:
        """Ask with the sync client, sleeping with the core's `sleep` between tries."""
        wait = NotFoundWait(core, self.wait_ms)
        while (delay := wait.delay_after(res := self.call.run(core))) is not None:
            core.sleep(delay)
        return res

    async def run_async(self, core: OpenRouterCore) -> Result[GenerationResponse, OpenRouterError]:
        """Ask with the async client, sleeping with the core's `async_sleep` (or anyio's) between tries."""
        import anyio  # with the first async lookup, not at import

        sleep = core.async_sleep or anyio.sleep
        wait = NotFoundWait(core, self.wait_ms)
        while (delay := wait.delay_after(res := await self.call.run_async(core))) is not None:
            await sleep(delay)
        return res


def _generation_get(
    core: OpenRouterCore,
    id: str,
    *,
    retries: RetryConfig | None = None,
    timeout_ms: int | None = None,
    headers: Mapping[str, str] | None = None,
    not_found_wait_ms: int = DEFAULT_NOT_FOUND_WAIT_MS,
) -> Planned[GenerationResponse]:
    """Look up a finished generation by the `id` of its response: `Ok(GenerationResponse)` or `Err(error)`.

    `res.value.data` holds its cost (`total_cost`), the provider that served it (`provider_name`),
    token counts and timings. The API answers `404` for a few seconds after the generation ends, so a 404
    is asked again after 0.25, 0.5, 1, 1, ... s for up to `not_found_wait_ms` (0: return the first 404).
    """
    if not isinstance(id, str) or not id:
        return Err(SDKValidationError(f"invalid id: expected a non-empty string, got {id!r}", path="$.id"))
    url = str(httpx.URL(core.server_url + "/generation").copy_merge_params({"id": id}))
    call = planned(prepare_get(core, url, retries, timeout_ms, headers), decode_generation)
    return call if isinstance(call, Err) else GenerationLookup(call, not_found_wait_ms)


generation_get = run(_generation_get)
generation_get_async = run_async(_generation_get)

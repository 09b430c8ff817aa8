"""Bounded polling for asynchronous outcomes (never bare sleeps in tests)."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable
from typing import TypeVar

from tenacity import AsyncRetrying, RetryError, retry_if_exception_type, stop_after_delay, wait_fixed

T = TypeVar("T")


class _NotYet(Exception):
    pass


async def wait_until(probe: Callable[[], T | Awaitable[T]], *, timeout: float = 15.0, interval: float = 0.05) -> T:
    """Call `probe` until it returns something truthy and return it; AssertionError after `timeout` seconds.

    A probe that itself never returns is cut off too (a few seconds of grace let a last attempt finish).
    """
    try:
        async with asyncio.timeout(timeout + 5):
            async for attempt in AsyncRetrying(
                stop=stop_after_delay(timeout), wait=wait_fixed(interval), retry=retry_if_exception_type(_NotYet)
            ):
                with attempt:
                    result = probe()
                    value: T = await result if inspect.isawaitable(result) else result
                    if not value:
                        raise _NotYet
    except (RetryError, TimeoutError):
        raise AssertionError(f"condition not met within {timeout} s") from None
    return value

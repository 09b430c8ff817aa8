"""Redis read-through cache in front of any ``IspBillingSystem`` (a decorator implementing the port).

* TTL per key family (customer 30 min, invoices and PIX 5 min, connection and outages 1 min) and
  negative caching of unknown documents for a short TTL.
* Stampede protection: one loader per key per process (single-flight) and one per key across
  replicas (``SET NX PX`` lock; the others poll the key, then load themselves if the holder died).
* Writes (payment promise, ticket) invalidate the customer's keys; invalidations that fail while
  Redis is down are replayed when it comes back.
* ``warm()`` preloads customers; recently active contracts are tracked for warming at start;
  ``warm_for_phone()`` loads a customer when their conversation starts, found by the WhatsApp number.
* Redis down → direct calls, a metric and one log line; never an error to the caller.
* Values are encrypted (atende_core.pii, binary form, each bound to its key): customer records hold
  names, documents, addresses and phones. A value that does not open counts as a miss.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Awaitable, Callable, Coroutine, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from pydantic import TypeAdapter
from redis.asyncio import Redis

from atende_core.hourly_counts import HourlyCounts
from atende_core.pii import Keyring, PiiDecryptError
from atende_sgp_adapter import metrics
from atende_sgp_adapter.adapters.keys import CacheKeys
from atende_sgp_adapter.adapters.redis_guard import RedisDownError, RedisGuard
from atende_sgp_adapter.domain.models import (
    ConnectionStatus,
    ContractStatus,
    Customer,
    DueInvoicePage,
    Invoice,
    Outage,
    PaymentPromiseResult,
    TicketReceipt,
    TicketRequest,
)
from atende_sgp_adapter.errors import BillingError
from atende_sgp_adapter.ports import IspBillingSystem
from atende_sgp_adapter.settings import Settings

logger = logging.getLogger(__name__)
T = TypeVar("T")

_RELEASE_LOCK = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0
"""
_CUSTOMER = TypeAdapter(Customer | None)
_INVOICES = TypeAdapter(list[Invoice])
_PIX = TypeAdapter(str | None)
_DOCUMENTS = TypeAdapter(list[str])
_WARMED_DOCUMENTS = 3  # customers sharing one phone whose records are loaded ahead
_CONNECTION = TypeAdapter(ConnectionStatus)
_OUTAGES = TypeAdapter(list[Outage])


@dataclass(frozen=True)
class CacheTtls:
    """Seconds each key family lives."""

    customer: float = 1800.0
    not_found: float = 120.0
    invoices: float = 300.0
    pix: float = 300.0
    connection: float = 60.0
    outages: float = 60.0

    @classmethod
    def from_settings(cls, settings: Settings) -> CacheTtls:
        """TTLs from the service settings."""
        return cls(
            customer=settings.cache_ttl_customer_s,
            not_found=settings.cache_ttl_not_found_s,
            invoices=settings.cache_ttl_invoices_s,
            pix=settings.cache_ttl_pix_s,
            connection=settings.cache_ttl_connection_s,
            outages=settings.cache_ttl_outages_s,
        )


def _ms(seconds: float) -> int:
    return max(int(seconds * 1000), 1)


class CachedBillingSystem:
    """``IspBillingSystem`` that answers from Redis when it can and from ``inner`` otherwise."""

    def __init__(
        self,
        inner: IspBillingSystem,
        guard: RedisGuard,
        *,
        keys: CacheKeys,
        pii: Keyring,
        ttls: CacheTtls = CacheTtls(),
        lock_ttl_s: float = 15.0,
        lock_wait_s: float = 10.0,
        recent_window_s: float = 6 * 3600.0,
        clock: Callable[[], datetime] = datetime.now,
        observer: Callable[[str, str, float], None] | None = None,
        prefetch_invoices: bool = True,
        prefetch_connection: bool = True,
        stats: HourlyCounts | None = None,
    ) -> None:
        self._inner = inner
        self._stats = stats  # hits and misses by hour, for the console's metrics
        self._observer = observer  # (family, result, seconds) per lookup; benchmarks and tracing
        self._guard = guard
        self._keys = keys
        self._pii = pii
        self._ttls = ttls
        self._lock_ttl_s = lock_ttl_s
        self._lock_wait_s = lock_wait_s
        self._recent_window_s = recent_window_s
        self._clock = clock
        self._inflight: dict[str, asyncio.Future[Any]] = {}
        self._pending_invalidations: set[str] = set()
        self._prefetch_invoices = prefetch_invoices
        self._prefetch_connection = prefetch_connection
        self._background: set[asyncio.Task[None]] = set()
        guard.on_recover(self._replay_invalidations)

    @classmethod
    def from_settings(
        cls, inner: IspBillingSystem, redis: Redis | None, settings: Settings, *, stats: HourlyCounts | None = None
    ) -> CachedBillingSystem:
        """Build the cache from the service settings."""
        return cls(
            inner,
            RedisGuard(redis, retry_after_s=settings.cache_redis_retry_after_s),
            keys=CacheKeys(settings.cache_hash_key.get_secret_value().encode(), settings.cache_key_prefix),
            pii=Keyring.from_settings(settings),
            ttls=CacheTtls.from_settings(settings),
            lock_ttl_s=settings.cache_lock_ttl_s,
            lock_wait_s=settings.cache_lock_wait_s,
            recent_window_s=settings.cache_recent_window_s,
            prefetch_invoices=settings.cache_prefetch_invoices,
            prefetch_connection=settings.cache_prefetch_connection,
            stats=stats,
        )

    @property
    def guard(self) -> RedisGuard:
        """The Redis guard (shared with the promise ledger so both see Redis outages alike)."""
        return self._guard

    # ---- port: reads ----------------------------------------------------------------------------
    async def find_customer(self, document: str) -> Customer | None:
        """Customer by CPF/CNPJ (``sgp_cliente:<blind index>``; unknown documents cached briefly)."""
        return await self._customer(document, purpose="lookup")

    async def documents_by_phone(self, phone: str) -> Sequence[str]:
        """Documents registered with a phone (``sgp_fone:<blind index>``, kept as long as customers)."""
        return await self._documents_by_phone(phone, purpose="lookup")

    async def warm_for_phone(self, phone: str) -> int:
        """Load the records of the customers who registered ``phone`` before anyone asks for them.

        A conversation starts with a greeting and gets to the CPF a few turns later; by then the
        customer (and, through the read-ahead, the bill) answers from the cache. Returns how many
        customers were warmed. Counted as ``prefetch_*`` lookups, apart from the hit rate.
        """
        documents = await self._documents_by_phone(phone, purpose="prefetch")
        for document in documents[:_WARMED_DOCUMENTS]:
            await self._customer(document, purpose="prefetch")
        return min(len(documents), _WARMED_DOCUMENTS)

    async def _documents_by_phone(self, phone: str, *, purpose: str) -> list[str]:
        async def load() -> list[str]:
            return list(await self._inner.documents_by_phone(phone))

        return await self._read_through(
            "phone",
            self._keys.documents_by_phone(phone),
            load,
            _DOCUMENTS,
            ttl_for=lambda found: self._ttls.customer if found else self._ttls.not_found,
            purpose=purpose,
        )

    async def _customer(self, document: str, *, purpose: str) -> Customer | None:
        key = self._keys.customer(document)
        customer, result = await self._read_through_ex(
            "customer",
            key,
            lambda: self._inner.find_customer(document),
            _CUSTOMER,
            ttl_for=lambda value: self._ttls.customer if value is not None else self._ttls.not_found,
            purpose=purpose,
        )
        if customer is not None:
            await self._remember(customer, key)
            # A conversation is starting (warming) or the record was just loaded: the bill or the
            # connection is asked next. A warming refreshes what expired even for a cached customer.
            if self._prefetch_invoices and (purpose == "prefetch" or result in ("miss", "bypass")):
                self._spawn(self._read_ahead(customer))
        return customer

    async def find_customer_by_contract(self, contract_id: str) -> Customer | None:
        """Customer seen through one contract: the owner's cached entry when there is one."""
        started = time.perf_counter()
        owned = await self._cached_owner(contract_id)
        if owned is not None:
            self._observe("customer", "hit", started, "lookup")
            return owned
        return await self._read_through(
            "customer",
            self._keys.customer_by_contract(contract_id),
            lambda: self._inner.find_customer_by_contract(contract_id),
            _CUSTOMER,
            ttl_for=lambda value: self._ttls.customer if value is not None else self._ttls.not_found,
        )

    async def _cached_owner(self, contract_id: str) -> Customer | None:
        """The cached customer entry that owns ``contract_id``, if both the mapping and the entry live."""
        try:
            _, customer = await self._owner(contract_id)
        except RedisDownError:
            return None
        return customer if customer is not None and customer.contract(contract_id) is not None else None

    async def _owner(self, contract_id: str) -> tuple[str | None, Customer | None]:
        """(customer key, cached customer) of the owner of ``contract_id``; raises ``RedisDownError``."""
        raw_key = await self._guard.run("get", lambda r: r.get(self._keys.contract_owner(contract_id)))
        if not raw_key:
            return None, None
        owner_key = raw_key.decode() if isinstance(raw_key, bytes) else str(raw_key)
        raw = await self._guard.run("get", lambda r: r.get(owner_key))
        opened = self._open(owner_key, _CUSTOMER, raw) if raw else None
        return owner_key, opened[0] if opened else None

    async def list_open_invoices(self, contract_id: str) -> Sequence[Invoice]:
        """Open invoices (``sgp_faturas:<contract>``)."""

        return await self._invoices(contract_id, purpose="lookup")

    async def _invoices(self, contract_id: str, *, purpose: str) -> Sequence[Invoice]:
        async def load() -> list[Invoice]:
            invoices = list(await self._inner.list_open_invoices(contract_id))
            await self._store_pix(contract_id, invoices)
            return invoices

        return await self._read_through(
            "invoices",
            self._keys.invoices(contract_id),
            load,
            _INVOICES,
            ttl_for=lambda _: self._ttls.invoices,
            purpose=purpose,
        )

    async def _store_pix(self, contract_id: str, invoices: Sequence[Invoice]) -> None:
        """The list already carries each bill's PIX: a later ``get_pix`` need not call SGP."""
        with_pix = [i for i in invoices if i.pix_copy_paste]
        if not with_pix:
            return

        async def write(r: Redis) -> Any:
            pipe = r.pipeline(transaction=False)
            for invoice in with_pix:
                key = self._keys.pix(contract_id, invoice.invoice_id)
                pipe.set(key, self._seal(key, _PIX, invoice.pix_copy_paste), px=_ms(self._ttls.pix))
            return await pipe.execute()

        with contextlib.suppress(RedisDownError):
            await self._guard.run("set_pix", write)

    async def _read_ahead(self, customer: Customer) -> None:
        """After identification the next question is usually the bill or the connection (80 % of the
        conversations between them): load both (and the outages) while the customer types."""
        reads: list[Awaitable[object]] = []
        if self._prefetch_connection:  # a connection check also reads the (global) outage list
            reads.append(self._outages(purpose="prefetch"))
        for contract in customer.contracts:
            if contract.status in (ContractStatus.CANCELLED, ContractStatus.INACTIVE):
                continue
            reads.append(self._invoices(contract.contract_id, purpose="prefetch"))
            if self._prefetch_connection:
                reads.append(self._connection(contract.contract_id, purpose="prefetch"))
        # Side by side: the customer's next message may come within a second.
        for outcome in await asyncio.gather(*reads, return_exceptions=True):
            if isinstance(outcome, BillingError):
                logger.debug("read-ahead failed", extra={"error_type": type(outcome).__name__})
            elif isinstance(outcome, BaseException):
                raise outcome

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def aclose(self) -> None:
        """Cancel background read-aheads (call on shutdown)."""
        for task in list(self._background):
            task.cancel()
        await asyncio.gather(*self._background, return_exceptions=True)

    async def get_pix(self, contract_id: str, invoice_id: str) -> str | None:
        """PIX copia-e-cola (``sgp_pix:<contract>:<invoice>``)."""
        return await self._read_through(
            "pix",
            self._keys.pix(contract_id, invoice_id),
            lambda: self._inner.get_pix(contract_id, invoice_id),
            _PIX,
            ttl_for=lambda _: self._ttls.pix,
        )

    async def connection_status(self, contract_id: str) -> ConnectionStatus:
        """Connection status (``sgp_acesso:<contract>``)."""
        return await self._connection(contract_id, purpose="lookup")

    async def _connection(self, contract_id: str, *, purpose: str) -> ConnectionStatus:
        return await self._read_through(
            "connection",
            self._keys.connection(contract_id),
            lambda: self._inner.connection_status(contract_id),
            _CONNECTION,
            ttl_for=lambda _: self._ttls.connection,
            purpose=purpose,
        )

    async def active_outages(self, pop_id: str | None = None) -> Sequence[Outage]:
        """Active outages: one cached list for every POP, filtered here."""

        outages = await self._outages(purpose="lookup")
        now = self._clock()
        return [o for o in outages if o.is_active(now) and (pop_id is None or o.affects(pop_id))]

    async def _outages(self, *, purpose: str) -> list[Outage]:
        async def load() -> list[Outage]:
            return list(await self._inner.active_outages(None))

        return await self._read_through(
            "outages", self._keys.outages(), load, _OUTAGES, ttl_for=lambda _: self._ttls.outages, purpose=purpose
        )

    async def list_due_invoices(self, due_in_days: int, limit: int, offset: int = 0) -> DueInvoicePage:
        """Campaign audience straight from the billing system (read once per campaign, never cached).

        What it learns is written through: each bill's PIX (``sgp_pix``), and a contract's open
        invoices (``sgp_faturas``) only when the system proved that list complete. Customer entries
        (``sgp_cliente``) are not: an audience lacks the POP, open totals and promise count they hold.
        """
        page = await self._inner.list_due_invoices(due_in_days, limit, offset)
        open_lists = {
            item.invoice.contract_id: list(item.contract_open_invoices)
            for item in page.items
            if item.contract_open_invoices is not None
        }
        pix = [item.invoice for item in page.items if item.invoice.pix_copy_paste]
        if not open_lists and not pix:
            return page

        async def write(r: Redis) -> Any:
            pipe = r.pipeline(transaction=False)
            for contract_id, invoices in open_lists.items():
                key = self._keys.invoices(contract_id)
                pipe.set(key, self._seal(key, _INVOICES, invoices), px=_ms(self._ttls.invoices))
            for invoice in pix:
                key = self._keys.pix(invoice.contract_id, invoice.invoice_id)
                pipe.set(key, self._seal(key, _PIX, invoice.pix_copy_paste), px=_ms(self._ttls.pix))
            return await pipe.execute()

        try:
            await self._guard.run("write_through", write)
        except RedisDownError:
            return page  # only a head start for the replies; the audience itself is complete
        metrics.CACHE_WRITE_THROUGH.labels("invoices").inc(len(open_lists))
        metrics.CACHE_WRITE_THROUGH.labels("pix").inc(len(pix))
        return page

    # ---- port: writes ---------------------------------------------------------------------------
    async def request_payment_promise(self, contract_id: str) -> PaymentPromiseResult:
        """Never cached; the customer's keys are invalidated afterwards (status and bills change)."""
        try:
            return await self._inner.request_payment_promise(contract_id)
        finally:
            await self.invalidate_contract(contract_id, reason="payment_promise")

    async def open_ticket(self, contract_id: str, ticket: TicketRequest) -> TicketReceipt:
        """Never cached; the customer's keys are invalidated afterwards."""
        try:
            return await self._inner.open_ticket(contract_id, ticket)
        finally:
            await self.invalidate_contract(contract_id, reason="ticket")

    # ---- invalidation and warming ---------------------------------------------------------------
    async def invalidate_contract(self, contract_id: str, *, reason: str) -> None:
        """Delete the keys of the customer owning ``contract_id`` (every contract of theirs)."""
        metrics.CACHE_INVALIDATIONS.labels(reason).inc()
        keys = {
            self._keys.invoices(contract_id),
            self._keys.connection(contract_id),
            self._keys.customer_by_contract(contract_id),
        }
        try:
            owner_key, customer = await self._owner(contract_id)
            if owner_key:
                keys.add(owner_key)
                for contract in customer.contracts if customer else ():
                    keys.update(
                        {
                            self._keys.invoices(contract.contract_id),
                            self._keys.connection(contract.contract_id),
                            self._keys.customer_by_contract(contract.contract_id),
                        }
                    )
            await self._guard.run("delete", lambda r: r.delete(*keys))
        except RedisDownError:
            # Replayed when Redis answers again, so no stale status survives the outage.
            self._pending_invalidations.update(keys)

    async def _replay_invalidations(self) -> None:
        if not self._pending_invalidations:
            return
        keys = set(self._pending_invalidations)
        self._pending_invalidations -= keys
        try:
            await self._guard.run("delete", lambda r: r.delete(*keys))
            logger.info("replayed cache invalidations", extra={"count": len(keys)})
        except RedisDownError:
            self._pending_invalidations |= keys

    async def warm(
        self, documents: Iterable[str] = (), *, contract_ids: Iterable[str] = (), concurrency: int = 8
    ) -> int:
        """Load customers (and their open invoices) into the cache; returns how many were loaded."""
        semaphore = asyncio.Semaphore(concurrency)
        warmed: set[str] = set()
        covered: set[str] = set()  # contracts of customers already warmed

        async def by_document(document: str) -> None:
            try:
                customer = await self.find_customer(document)
                for contract in customer.contracts if customer else ():
                    covered.add(contract.contract_id)
                    await self.list_open_invoices(contract.contract_id)
            except BillingError as exc:
                logger.warning("cache warming skipped a customer", extra={"error_type": type(exc).__name__})
                return
            if customer is not None:
                warmed.add(customer.document)

        async def from_document(document: str) -> None:
            async with semaphore:
                await by_document(document)

        async def from_contract(contract_id: str) -> None:
            async with semaphore:
                if contract_id in covered:
                    return
                try:
                    seen = await self._inner.find_customer_by_contract(contract_id)
                except BillingError as exc:
                    logger.warning("cache warming skipped a contract", extra={"error_type": type(exc).__name__})
                    return
                if seen is not None and seen.document and seen.document not in warmed:
                    await by_document(seen.document)

        # Contracts of a customer warmed meanwhile are skipped; the rest share in-flight loads.
        await asyncio.gather(*(from_document(d) for d in documents), *(from_contract(c) for c in contract_ids))
        metrics.CACHE_WARMED.inc(len(warmed))
        return len(warmed)

    async def recent_contracts(self, limit: int) -> list[str]:
        """Contract ids active within the recent window, most recent first."""
        floor = time.time() - self._recent_window_s
        try:
            raw = await self._guard.run(
                "zrevrangebyscore",
                lambda r: r.zrevrangebyscore(self._keys.recent_contracts(), "+inf", floor, start=0, num=limit),
            )
        except RedisDownError:
            return []
        return [item.decode() if isinstance(item, bytes) else str(item) for item in raw]

    async def warm_recent(self, limit: int = 500) -> int:
        """Warm the customers of recently active contracts (service start-up)."""
        contract_ids = await self.recent_contracts(limit)
        if not contract_ids:
            return 0
        # Several contracts may belong to one customer: warming by document dedups them.
        warmed = await self.warm(contract_ids=contract_ids)
        logger.info("cache warmed", extra={"customers": warmed, "contracts": len(contract_ids)})
        return warmed

    # ---- machinery ------------------------------------------------------------------------------
    async def _remember(self, customer: Customer, key: str) -> None:
        """Map contracts → customer key (for invalidation) and mark them recently active."""
        now = time.time()
        ttl_ms = _ms(self._ttls.customer)
        floor = now - self._recent_window_s

        async def write(r: Redis) -> Any:
            pipe = r.pipeline(transaction=False)
            for contract in customer.contracts:
                pipe.set(self._keys.contract_owner(contract.contract_id), key, px=ttl_ms)
            pipe.zadd(self._keys.recent_contracts(), {c.contract_id: now for c in customer.contracts})
            pipe.zremrangebyscore(self._keys.recent_contracts(), "-inf", floor)
            return await pipe.execute()

        with contextlib.suppress(
            RedisDownError
        ):  # only bookkeeping for invalidation/warming; the answer is already correct
            await self._guard.run("remember", write)

    async def _read_through(
        self,
        family: str,
        key: str,
        loader: Callable[[], Awaitable[T]],
        adapter: TypeAdapter[T],
        *,
        ttl_for: Callable[[T], float],
        purpose: str = "lookup",
    ) -> T:
        value, _ = await self._read_through_ex(family, key, loader, adapter, ttl_for=ttl_for, purpose=purpose)
        return value

    async def _read_through_ex(
        self,
        family: str,
        key: str,
        loader: Callable[[], Awaitable[T]],
        adapter: TypeAdapter[T],
        *,
        ttl_for: Callable[[T], float],
        purpose: str = "lookup",
    ) -> tuple[T, str]:
        """Read ``key`` or load it; returns (value, hit | negative_hit | miss | coalesced | bypass)."""
        started = time.perf_counter()
        try:
            raw = await self._guard.run("get", lambda r: r.get(key))
        except RedisDownError:
            value, _ = await self._single_flight(key, lambda: self._load_direct(loader))
            return value, self._observe(family, "bypass", started, purpose)
        opened = self._open(key, adapter, raw) if raw is not None else None
        if opened is not None:
            value = opened[0]
            return value, self._observe(family, "negative_hit" if value is None else "hit", started, purpose)
        joined = key in self._inflight
        value, source = await self._single_flight(key, lambda: self._load_locked(key, loader, adapter, ttl_for=ttl_for))
        result = "coalesced" if joined or source == "cache" else "miss"
        return value, self._observe(family, result, started, purpose)

    def _seal(self, key: str, adapter: TypeAdapter[T], value: T) -> bytes:
        """The stored form of a value: its JSON, encrypted and bound to its key."""
        return self._pii.encrypt_bytes(adapter.dump_json(value), purpose=self._purpose(key))

    def _open(self, key: str, adapter: TypeAdapter[T], raw: bytes) -> tuple[T] | None:
        """The value stored at ``key``, or None when it does not open (a miss: loaded again)."""
        try:
            return (adapter.validate_json(self._pii.decrypt_bytes(raw, purpose=self._purpose(key))),)
        except PiiDecryptError:
            logger.warning("cache value does not open; reloading it", extra={"error.type": "PiiDecryptError"})
            return None

    def _purpose(self, key: str) -> str:
        return "sgp-cache:" + key.removeprefix(self._keys.prefix)

    def _observe(self, family: str, result: str, started: float, purpose: str) -> str:
        """Count and time one lookup; read-aheads are labelled apart so they do not inflate the hit rate."""
        elapsed = time.perf_counter() - started
        label = result if purpose == "lookup" else f"{purpose}_{result}"
        metrics.CACHE_LOOKUPS.labels(family, label).inc()
        source = "sgp" if result in ("miss", "bypass") else "cache"
        metrics.CACHE_LATENCY.labels(family, source).observe(elapsed)
        if self._stats is not None and purpose == "lookup":
            self._stats.count("miss" if source == "sgp" else "hit")
        if self._observer is not None:
            self._observer(family, label, elapsed)
        return result

    @staticmethod
    async def _load_direct(loader: Callable[[], Awaitable[T]]) -> tuple[T, str]:
        return await loader(), "sgp"

    async def _single_flight(self, key: str, load: Callable[[], Awaitable[tuple[T, str]]]) -> tuple[T, str]:
        """One in-process load per key; concurrent callers share its result or its error."""
        existing = self._inflight.get(key)
        if existing is not None:
            return await asyncio.shield(existing)
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._inflight[key] = future
        try:
            value = await load()
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # mark retrieved: no "never retrieved" warning without joiners
            raise
        else:
            future.set_result(value)
            return value
        finally:
            self._inflight.pop(key, None)

    async def _load_locked(
        self,
        key: str,
        loader: Callable[[], Awaitable[T]],
        adapter: TypeAdapter[T],
        *,
        ttl_for: Callable[[T], float],
    ) -> tuple[T, str]:
        """Load under a cross-replica lock; returns (value, "cache" | "sgp")."""
        lock_key, token = self._keys.lock(key), uuid.uuid4().hex
        try:
            owned = bool(
                await self._guard.run("lock", lambda r: r.set(lock_key, token, nx=True, px=_ms(self._lock_ttl_s)))
            )
        except RedisDownError:
            return await loader(), "sgp"
        if not owned:
            waited = await self._wait_for(key, lock_key, adapter)
            if waited is not None:
                return waited[0], "cache"
        try:
            value = await loader()
            with contextlib.suppress(RedisDownError):
                sealed = self._seal(key, adapter, value)
                await self._guard.run("set", lambda r: r.set(key, sealed, px=_ms(ttl_for(value))))
            return value, "sgp"
        finally:
            if owned:
                with contextlib.suppress(RedisDownError):  # the lock expires by itself
                    await self._guard.run("unlock", lambda r: r.eval(_RELEASE_LOCK, 1, lock_key, token))

    async def _wait_for(self, key: str, lock_key: str, adapter: TypeAdapter[T]) -> tuple[T] | None:
        """Poll ``key`` while another replica holds the lock; None means load it ourselves."""
        deadline = time.monotonic() + self._lock_wait_s
        delay = 0.01
        try:
            while time.monotonic() < deadline:
                await asyncio.sleep(delay)
                delay = min(delay * 2, 0.1)
                raw = await self._guard.run("get", lambda r: r.get(key))
                if raw is not None:
                    return self._open(key, adapter, raw)  # None (load ourselves) when it does not open
                if not await self._guard.run("exists", lambda r: r.exists(lock_key)):
                    return None  # the holder failed or finished without writing
        except RedisDownError:
            return None
        return None

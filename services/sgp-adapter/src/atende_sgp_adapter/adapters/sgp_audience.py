"""Billing-campaign audiences from SGP: who pays each due bill, and when a contract's open list is known.

``/api/ura/titulos/`` lists bills but not phones; ``/api/ura/clientes/`` (same due-date window)
gives each payer's contacts, contracts and, unless ``omitir_titulos``, their titles. Only
whitelisted fields are read, so the secrets ``clientes`` carries (central and service passwords,
Wi-Fi keys) never leave this module.

Which titles ``clientes`` nests is not documented (reference §3: ``titulos:[…]``). A page whose
nested titles include one outside the requested window proves they are not trimmed to the window,
so the open ones are the client's whole open list; without that proof nothing is claimed complete.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from atende_sgp_adapter.adapters.sgp_parsing import clean_str, fold, parse_date, parse_int
from atende_sgp_adapter.domain.models import Invoice
from atende_sgp_adapter.domain.phones import pick_whatsapp_number


@dataclass(frozen=True)
class Payer:
    """What the audience needs from one ``clientes`` entry."""

    name: str | None
    phone: str | None
    contract_ids: frozenset[str]
    # contract id → ids of its open titles; None when this page does not prove the list complete.
    open_titles: Mapping[str, frozenset[str]] | None


def _contract_of(item: Mapping[str, Any]) -> str | None:
    for key in ("clienteContrato", "contrato", "contratoId", "contrato_id"):
        value = parse_int(item.get(key))
        if value is not None:
            return str(value)
    return None


def _phones(entry: Mapping[str, Any]) -> list[str]:
    """Contacts come as ``contatos`` (or ``telefones``): strings or ``{"contato": ...}`` objects."""
    found: list[str] = []
    for key in ("contatos", "telefones"):
        raw = entry.get(key)
        for item in raw if isinstance(raw, list) else []:
            text = clean_str(item.get("contato") or item.get("numero")) if isinstance(item, dict) else clean_str(item)
            if text and "@" not in text:
                found.append(text)
    return found


def _nested_titles(entry: Mapping[str, Any]) -> list[Mapping[str, Any]] | None:
    raw = entry.get("titulos")
    if not isinstance(raw, list):
        return None
    return [t for t in raw if isinstance(t, dict)]


def _open_titles(titles: Sequence[Mapping[str, Any]]) -> dict[str, frozenset[str]] | None:
    """Open title ids per contract; None if any title lacks an id, a contract or a status."""
    by_contract: dict[str, set[str]] = {}
    for title in titles:
        title_id, contract = parse_int(title.get("id")), _contract_of(title)
        status = fold(clean_str(title.get("status")))
        if title_id is None or contract is None or not status:
            return None
        if status == "aberto":
            by_contract.setdefault(contract, set()).add(str(title_id))
    return {contract: frozenset(ids) for contract, ids in by_contract.items()}


def payers(body: Mapping[str, Any], day: date) -> dict[str, Payer]:
    """Contract id → payer, from one ``clientes`` page queried with the window ``[day, day]``."""
    entries = [e for e in body.get("clientes") or [] if isinstance(e, dict)]
    nested = [_nested_titles(e) for e in entries]
    # Proof that nested titles are not trimmed to the window: one of them falls outside it.
    untrimmed = any(
        (due := parse_date(t.get("dataVencimento") or t.get("data_vencimento") or t.get("vencimento"))) is not None
        and due != day
        for titles in nested
        if titles
        for t in titles
    )
    found: dict[str, Payer] = {}
    for entry, titles in zip(entries, nested, strict=True):
        contracts = {
            str(cid)
            for c in entry.get("contratos") or []
            if isinstance(c, dict) and (cid := parse_int(c.get("contrato") or c.get("id"))) is not None
        }
        open_titles = _open_titles(titles) if untrimmed and titles is not None else None
        if open_titles is not None:
            contracts |= set(open_titles)
        payer = Payer(
            name=clean_str(entry.get("nome") or entry.get("razaoSocial")),
            phone=pick_whatsapp_number(_phones(entry)),
            contract_ids=frozenset(contracts),
            open_titles=open_titles,
        )
        for contract in contracts:
            found[contract] = payer
    return found


def complete_open_list(contract_id: str, bills: Sequence[Invoice], payer: Payer | None) -> tuple[Invoice, ...] | None:
    """``bills`` (the contract's due bills on this page) when they are every open bill it has.

    Also None when a bill lacks its linha digitável or PIX: ``list_open_invoices`` would fill those
    from fatura2via, so the audience's copy would not be what a lookup returns.
    """
    if payer is None or payer.open_titles is None or not bills:
        return None
    if payer.open_titles.get(contract_id, frozenset()) != {b.invoice_id for b in bills}:
        return None
    if any(b.digitable_line is None or b.pix_copy_paste is None for b in bills):
        return None
    return tuple(sorted(bills, key=lambda b: b.original_due_date or b.due_date))

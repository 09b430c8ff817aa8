"""Redis key names of the SGP cache; no key ever contains a raw CPF/CNPJ."""

from __future__ import annotations

from dataclasses import dataclass

from atende_core.crypto import blind_index


@dataclass(frozen=True)
class CacheKeys:
    """Key builders; ``prefix`` isolates tenants, tests and benchmarks sharing one Redis."""

    hash_key: bytes
    prefix: str = ""

    def customer(self, document: str) -> str:
        """Customer by document (``sgp_cliente:*``, the family ARCHITECTURE.md names)."""
        return f"{self.prefix}sgp_cliente:{blind_index(document, self.hash_key)}"

    def documents_by_phone(self, phone: str) -> str:
        """Documents registered with a phone number (blind-indexed like documents)."""
        return f"{self.prefix}sgp_fone:{blind_index(phone, self.hash_key)}"

    def customer_by_contract(self, contract_id: str) -> str:
        """Customer as seen through one contract."""
        return f"{self.prefix}sgp_cliente_contrato:{contract_id}"

    def contract_owner(self, contract_id: str) -> str:
        """Contract id → customer key, so a write on a contract can invalidate its customer."""
        return f"{self.prefix}sgp_contrato_dono:{contract_id}"

    def invoices(self, contract_id: str) -> str:
        """Open invoices of a contract."""
        return f"{self.prefix}sgp_faturas:{contract_id}"

    def pix(self, contract_id: str, invoice_id: str) -> str:
        """PIX copia-e-cola of one invoice."""
        return f"{self.prefix}sgp_pix:{contract_id}:{invoice_id}"

    def connection(self, contract_id: str) -> str:
        """Connection status of a contract."""
        return f"{self.prefix}sgp_acesso:{contract_id}"

    def outages(self) -> str:
        """Outages active at fetch time (one key for every POP)."""
        return f"{self.prefix}sgp_manutencao:ativas"

    def lock(self, key: str) -> str:
        """Stampede lock for one cache key."""
        return f"{self.prefix}sgp_lock:{key.removeprefix(self.prefix)}"

    def recent_contracts(self) -> str:
        """Sorted set of recently active contract ids (score: last activity, epoch seconds)."""
        return f"{self.prefix}sgp_recentes:contratos"

    def promise(self, request_id: str) -> str:
        """Payment-promise result by request id (idempotency ledger)."""
        return f"{self.prefix}sgp_promessa:{request_id}"

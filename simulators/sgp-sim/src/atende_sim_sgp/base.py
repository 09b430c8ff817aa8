"""Seeded synthetic SGP base: customers, contracts, lazily built invoices, outages, and SGP's rules.

Everything is derived from one integer seed, so two simulators started with the same seed (and the
same "today") serve the same data. Invoices are built per contract on first use, which keeps start-up
well under a second for 10,000 customers.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cached_property
from typing import TypeVar

from atende_core.documents import cnpj_with_check_digits, cpf_with_check_digits, digits_only, document_key
from atende_sim_sgp.docs import format_document
from atende_sim_sgp.payments import boleto_codes, pix_copia_e_cola

_T = TypeVar("_T")
STATUS_LABELS = {
    1: "Ativo",
    2: "Inativo",
    3: "Cancelado",
    4: "Suspenso",
    5: "Inviabilidade Técnica",
    6: "Novo",
    7: "Ativo V. Reduzida",
}
# (id, name, city, uf)
POPS: tuple[tuple[int, str, str, str], ...] = (
    (1, "POP CENTRO", "São Luís", "MA"),
    (2, "POP COHAMA", "São Luís", "MA"),
    (3, "POP TURU", "São Luís", "MA"),
    (4, "POP PACO", "Paço do Lumiar", "MA"),
    (5, "POP RIBAMAR", "São José de Ribamar", "MA"),
    (6, "POP TERESINA NORTE", "Teresina", "PI"),
    (7, "POP IMPERATRIZ", "Imperatriz", "MA"),
    (8, "POP CAXIAS", "Caxias", "MA"),
)
OUTAGE_POP_ID = 3
# (plan name, speed, monthly price in cents)
PLANS = (
    ("FIBRA 300", "300MB", 8990),
    ("FIBRA 500", "500MB", 9990),
    ("FIBRA 600", "600MB", 10990),
    ("FIBRA 1 GIGA", "1GB", 14990),
    ("EMPRESARIAL 800", "800MB", 24990),
)
ISP_NAME = "NET DEMO TELECOM LTDA"
ISP_PIX_KEY = "12345678000195"
BANK = "341"

_FIRST = (
    "Ana",
    "Maria",
    "Francisca",
    "Antônia",
    "Adriana",
    "Juliana",
    "Márcia",
    "Fernanda",
    "Patrícia",
    "Aline",
    "José",
    "João",
    "Antônio",
    "Francisco",
    "Carlos",
    "Paulo",
    "Pedro",
    "Lucas",
    "Luiz",
    "Marcos",
    "Rafael",
    "Raimundo",
    "Daniel",
    "Marcelo",
    "Bruno",
    "Eduardo",
    "Felipe",
    "Gabriel",
    "Larissa",
    "Camila",
    "Bruna",
    "Letícia",
    "Rodrigo",
    "Thiago",
    "Vitória",
    "Beatriz",
)
_LAST = (
    "Silva",
    "Santos",
    "Oliveira",
    "Souza",
    "Rodrigues",
    "Ferreira",
    "Alves",
    "Pereira",
    "Lima",
    "Gomes",
    "Costa",
    "Ribeiro",
    "Martins",
    "Carvalho",
    "Almeida",
    "Lopes",
    "Soares",
    "Fernandes",
    "Vieira",
    "Barbosa",
    "Rocha",
    "Dias",
    "Nascimento",
    "Andrade",
    "Moreira",
    "Nunes",
    "Marques",
    "Machado",
    "Mendes",
    "Freitas",
    "Cardoso",
    "Ramos",
    "Sousa",
    "Araújo",
    "Pinheiro",
    "Batista",
)
_COMPANY = ("Comércio", "Serviços", "Materiais de Construção", "Farmácia", "Mercadinho", "Oficina")
_STREETS = (
    "Rua das Flores",
    "Avenida dos Holandeses",
    "Rua Grande",
    "Avenida Litorânea",
    "Rua do Sol",
    "Rua da Paz",
    "Travessa São José",
    "Avenida Jerônimo de Albuquerque",
    "Rua 7 de Setembro",
)
_DISTRICTS = ("Centro", "Cohama", "Turu", "Calhau", "Renascença", "Maiobão", "Vinhais", "Anil")


@dataclass
class Customer:
    """One SGP customer (pessoa física or jurídica)."""

    id: int
    name: str
    document: str
    person_type: str
    phones: list[str]
    email: str
    birth: date | None
    registered: datetime
    contract_ids: list[int] = field(default_factory=list)
    masked_only: bool = False  # a legacy record that SGP only finds by the stored mask


@dataclass
class Contract:
    """One contract with its single internet service."""

    id: int
    customer_id: int
    status: int
    initial_status: int
    plan: str
    speed: str
    price_cents: int
    login: str
    service_id: int
    pop_id: int
    due_day: int
    registered: datetime
    street: str
    number: int
    district: str
    online: bool
    overdue_months: int
    paid_current: bool
    codes_missing: bool = False  # titulos returns empty linhaDigitavel/codigoPix (seen in production)
    legacy_access_shape: bool = False  # verificaacesso answers with the 2020 "staus" sample shape
    br_due_dates: bool = False  # titulos returns dataVencimento as DD/MM/YYYY
    promise_dates: list[date] = field(default_factory=list)
    unlocked_until: date | None = None
    central_password: str = ""
    service_password: str = ""
    wifi_password: str = ""


@dataclass
class Invoice:
    """One bill (título)."""

    id: int
    contract_id: int
    issued: date
    due: date
    amount_cents: int
    status: str  # aberto / pago / cancelado
    paid_on: date | None
    token: str

    @cached_property
    def codes(self) -> tuple[str, str]:
        """(barcode, linha digitável) for the original due date and amount."""
        return boleto_codes(bank=BANK, due=self.due, amount_cents=self.amount_cents, free_field=f"{self.id:025d}")

    @cached_property
    def pix(self) -> str:
        """PIX copia-e-cola for the original amount."""
        return pix_for(self.id, self.amount_cents)


@dataclass
class Ticket:
    """An ocorrência opened by an API call (with or without a work order)."""

    protocol: str
    contract_id: int
    kind: str
    content: str
    work_order: bool
    created_at: datetime


def pix_for(invoice_id: int, amount_cents: int) -> str:
    """PIX copia-e-cola string for one invoice amount."""
    return pix_copia_e_cola(
        key=ISP_PIX_KEY,
        merchant=ISP_NAME,
        city="SAO LUIS",
        amount_cents=amount_cents,
        txid=f"FAT{invoice_id}",
    )


_PHONE_TAIL = 8  # digits a phone search is indexed by (every Brazilian number has at least 8)


class _FastRandom(random.Random):
    """``random.Random`` with cheaper ``randrange``/``choice`` (generation must stay under 2 s)."""

    def randrange(self, start: int, stop: int | None = None, step: int = 1) -> int:
        if stop is None:
            start, stop = 0, start
        return start + int(self.random() * (stop - start))

    def pick(self, seq: Sequence[_T]) -> _T:
        """A cheaper ``choice``."""
        return seq[int(self.random() * len(seq))]


def month_shift(day: date, months: int) -> tuple[int, int]:
    """(year, month) ``months`` away from ``day``'s month."""
    index = day.year * 12 + day.month - 1 + months
    return index // 12, index % 12 + 1


@dataclass(frozen=True)
class DemoCustomer:
    """A fixed, memorable customer for demos and READMEs."""

    cpf: str
    name: str
    scenario: str


# Memorable valid CPFs/CNPJ (check digits verified in tests); documented in the README.
DEMO_CUSTOMERS: tuple[DemoCustomer, ...] = (
    DemoCustomer("123.456.789-09", "Maria Demo da Silva", "one active contract with an open bill"),
    DemoCustomer("111.444.777-35", "João Demo Pereira", "three contracts (two active, one suspended)"),
    DemoCustomer("987.654.321-00", "Ana Demo Souza", "suspended, overdue, eligible for a promise"),
    DemoCustomer("222.333.444-05", "Carlos Demo Lima", "suspended, promise already used this month"),
    DemoCustomer("555.666.777-20", "Fernanda Demo Costa", "active contract in the outage POP (offline)"),
    DemoCustomer("333.444.555-08", "Paulo Demo Rocha", "active contract, everything paid"),
    DemoCustomer("11.222.333/0001-81", "Mercadinho Demo LTDA", "company (CNPJ) with an open bill"),
    DemoCustomer("246.813.579-28", "Beatriz Demo Alves", "open bill whose titulos codes are empty"),
    DemoCustomer("135.792.468-28", "Raimundo Demo Dias", "legacy record found only by masked CPF"),
    DemoCustomer("12.ABC.345/01DE-35", "Padaria Demo Alfa LTDA", "company with an alphanumeric CNPJ and an open bill"),
)


class SgpBase:
    """The simulator's in-memory SGP: generated data plus the state that API calls change."""

    def __init__(self, *, seed: int, customers: int, today: date, now: datetime | None = None):
        self.seed = seed
        self.today = today
        self.created_at = now or datetime.combine(today, time(10, 0))
        self.customers: dict[int, Customer] = {}
        self.by_document: dict[str, Customer] = {}
        self.contracts: dict[int, Contract] = {}
        self.tickets: list[Ticket] = []
        self._invoices: dict[int, list[Invoice]] = {}
        self._by_due: dict[date, list[Invoice]] | None = None
        self._by_phone_tail: dict[str, list[Customer]] | None = None
        self._protocol_seq = 0
        self._generate(customers)
        self.outages = self._outages()

    # ---- generation -------------------------------------------------------------------------
    def _generate(self, count: int) -> None:
        rng = _FastRandom(self.seed)
        demo_docs = {document_key(d.cpf) for d in DEMO_CUSTOMERS}
        next_contract = 10_000
        for customer_id in range(1, count + 1):
            is_company = rng.random() < 0.06
            while True:
                if is_company:
                    doc = cnpj_with_check_digits(f"{rng.randrange(10**7, 10**8)}0001")
                else:
                    doc = cpf_with_check_digits(f"{rng.randrange(10**8, 10**9)}")
                if doc not in self.by_document and doc not in demo_docs and len(set(doc)) > 1:
                    break
            first, last1, last2 = rng.pick(_FIRST), rng.pick(_LAST), rng.pick(_LAST)
            name = f"{last1} {rng.pick(_COMPANY)} LTDA" if is_company else f"{first} {last1} {last2}"
            registered = datetime.combine(
                self.today - timedelta(days=rng.randrange(200, 3000)), time(rng.randrange(8, 18), 5)
            )
            customer = Customer(
                id=customer_id,
                name=name.upper(),
                document=doc,
                person_type="J" if is_company else "F",
                phones=[f"(98) 9{rng.randrange(8000, 9999)}-{rng.randrange(1000, 9999)}"],
                email=f"{first.lower()}.{last1.lower()}{customer_id}@example.com".encode("ascii", "ignore").decode(),
                birth=None if is_company else date(rng.randrange(1950, 2004), rng.randrange(1, 13), 15),
                registered=registered,
                masked_only=rng.random() < 0.02,
            )
            if customer_id % 9 == 0:
                # Some records list a landline first (no WhatsApp); derived without the RNG so the
                # rest of the seeded base does not change.
                customer.phones.insert(0, f"(98) 3{customer_id % 1000:03d}-{(customer_id * 7) % 10000:04d}")
            roll = rng.random()
            n_contracts = 1 if roll < 0.86 else 2 if roll < 0.97 else rng.randrange(3, 6)
            for _ in range(n_contracts):
                self._add_contract(customer, next_contract, rng, status=self._pick_status(rng))
                next_contract += 1
            self._index(customer)
        self._add_demo_customers(count + 1, 90_000)

    @staticmethod
    def _pick_status(rng: _FastRandom) -> int:
        roll = rng.random()
        if roll < 0.80:
            return 1
        if roll < 0.90:
            return 4
        if roll < 0.93:
            return 7
        if roll < 0.97:
            return 3
        return 6 if roll < 0.99 else 2

    def _index(self, customer: Customer) -> None:
        self.customers[customer.id] = customer
        self.by_document[customer.document] = customer

    def _add_contract(
        self, customer: Customer, contract_id: int, rng: _FastRandom, *, status: int, **overrides: object
    ) -> Contract:
        plan, speed, price = rng.pick(PLANS[:4] if customer.person_type == "F" else PLANS)
        pop_id = rng.pick(POPS)[0]
        overdue = {4: rng.pick((1, 2, 2, 3)), 7: 1}.get(status, 0)
        if status == 1 and rng.random() < 0.05:
            overdue = 1  # late but not yet suspended
        promises: list[date] = []
        if status == 4 and rng.random() < 0.3:
            promises.append(self._earlier_this_month(rng.randrange(0, 4)))
        contract = Contract(
            id=contract_id,
            customer_id=customer.id,
            status=status,
            initial_status=status,
            plan=plan,
            speed=speed,
            price_cents=price,
            login=f"{customer.name.split()[0].lower()}{contract_id}",
            service_id=contract_id + 50_000,
            pop_id=pop_id,
            due_day=rng.pick((5, 10, 15, 20, 25)),
            registered=customer.registered + timedelta(days=rng.randrange(0, 30)),
            street=rng.pick(_STREETS),
            number=rng.randrange(1, 2000),
            district=rng.pick(_DISTRICTS),
            online=status in (1, 7) and rng.random() < 0.93,
            overdue_months=overdue,
            paid_current=status == 1 and overdue == 0 and rng.random() < 0.25,
            codes_missing=rng.random() < 0.05,
            legacy_access_shape=contract_id % 13 == 0,
            br_due_dates=contract_id % 7 == 0,
            promise_dates=promises,
            central_password=f"{rng.randrange(10**5, 10**6)}",
            service_password=f"pw{rng.randrange(10**7, 10**8)}",
            wifi_password=f"wifi{rng.randrange(10**7, 10**8)}",
        )
        for key, value in overrides.items():
            setattr(contract, key, value)
        if contract.pop_id == OUTAGE_POP_ID:
            contract.online = False
        self.contracts[contract.id] = contract
        customer.contract_ids.append(contract.id)
        return contract

    def _earlier_this_month(self, days_back: int) -> date:
        return max(self.today.replace(day=1), self.today - timedelta(days=days_back))

    def _add_demo_customers(self, first_customer_id: int, first_contract_id: int) -> None:
        rng = _FastRandom(self.seed + 1)
        quiet = {"codes_missing": False, "legacy_access_shape": False, "br_due_dates": False}
        normal_pop = 1
        specs: list[tuple[DemoCustomer, list[dict[str, object]], dict[str, object]]] = [
            (DEMO_CUSTOMERS[0], [{"status": 1, "pop_id": normal_pop, "online": True}], {}),
            (
                DEMO_CUSTOMERS[1],
                [
                    {"status": 1, "pop_id": normal_pop, "online": True},
                    {"status": 1, "pop_id": 2, "online": True, "paid_current": True},
                    {"status": 4, "pop_id": 2, "online": False, "overdue_months": 2},
                ],
                {},
            ),
            (DEMO_CUSTOMERS[2], [{"status": 4, "pop_id": normal_pop, "overdue_months": 2}], {}),
            (
                DEMO_CUSTOMERS[3],
                [
                    {
                        "status": 4,
                        "pop_id": normal_pop,
                        "overdue_months": 1,
                        "promise_dates": [self._earlier_this_month(2)],
                    }
                ],
                {},
            ),
            (DEMO_CUSTOMERS[4], [{"status": 1, "pop_id": OUTAGE_POP_ID}], {}),
            (
                DEMO_CUSTOMERS[5],
                [{"status": 1, "pop_id": 2, "online": True, "paid_current": True, "overdue_months": 0}],
                {},
            ),
            (DEMO_CUSTOMERS[6], [{"status": 1, "pop_id": normal_pop, "online": True}], {}),
            (
                DEMO_CUSTOMERS[7],
                [{"status": 1, "pop_id": normal_pop, "online": True, "codes_missing": True}],
                {},
            ),
            (DEMO_CUSTOMERS[8], [{"status": 1, "pop_id": normal_pop, "online": True}], {"masked_only": True}),
            (DEMO_CUSTOMERS[9], [{"status": 1, "pop_id": normal_pop, "online": True}], {}),
        ]
        contract_id = first_contract_id
        for offset, (demo, contract_specs, customer_overrides) in enumerate(specs):
            doc = document_key(demo.cpf)
            customer = Customer(
                id=first_customer_id + offset,
                name=demo.name.upper(),
                document=doc,
                person_type="J" if len(doc) == 14 else "F",
                phones=[f"(98) 98888-{1000 + offset:04d}"],
                email=f"demo{offset}@example.com",
                birth=None if len(doc) == 14 else date(1985, 5, 20),
                registered=datetime(2021, 3, 20, 11, 43, 25),
                masked_only=bool(customer_overrides.get("masked_only", False)),
            )
            for spec in contract_specs:
                status = int(spec["status"])  # type: ignore[call-overload]
                overrides = {**quiet, **spec}
                overrides.pop("status")
                overrides.setdefault("overdue_months", {4: 2, 7: 1}.get(status, 0))
                overrides.setdefault("paid_current", False)
                overrides.setdefault("promise_dates", [])
                overrides.setdefault("online", status in (1, 7))
                self._add_contract(customer, contract_id, rng, status=status, **overrides)
                self.contracts[contract_id].initial_status = status
                contract_id += 1
            self._index(customer)

    def _outages(self) -> list[dict[str, object]]:
        now = self.created_at
        fmt = "%Y-%m-%d %H:%M:%S"

        def pops(*ids: int) -> list[dict[str, object]]:
            return [{"id": p[0], "cidade": p[2], "uf": p[3]} for p in POPS if p[0] in ids]

        common: dict[str, object] = {
            "enviar_sms": False,
            "nas": [],
            "aps": [],
            "sources": [],
            "switches": [],
            "olts": [],
            "oltpons": [],
            "ctos": [],
        }
        return [
            {
                "id": 1,
                "descricao": "Rompimento de fibra - Turu",
                "data_inicial": (now - timedelta(hours=2)).strftime(fmt),
                "data_final": (now + timedelta(days=2)).strftime(fmt),
                "observacoes": "Equipe em campo",
                "mensagem_central": "Rompimento de fibra na região do Turu.",
                "mensagem_ura": (
                    "Identificamos um rompimento de fibra na região do Turu. Nossa equipe já está "
                    "trabalhando e a previsão de normalização é de até 6 horas."
                ),
                "ativa": 1,
                "severidade": 4,
                "status": 2,
                "pops": pops(OUTAGE_POP_ID),
                **common,
            },
            {
                "id": 2,
                "descricao": "Troca de equipamento - Centro",
                "data_inicial": (now - timedelta(days=7)).strftime(fmt),
                "data_final": (now - timedelta(days=7, hours=-3)).strftime(fmt),
                "observacoes": "",
                "mensagem_central": "Manutenção concluída.",
                "mensagem_ura": "Manutenção concluída.",
                "ativa": 0,
                "severidade": 3,
                "status": 4,
                "pops": pops(1),
                **common,
            },
            {
                "id": 3,
                "descricao": "Manutenção programada - Teresina",
                "data_inicial": (now + timedelta(days=5)).strftime(fmt),
                "data_final": (now + timedelta(days=5, hours=4)).strftime(fmt),
                "observacoes": "",
                "mensagem_central": "Manutenção programada.",
                "mensagem_ura": "Haverá uma manutenção programada na sua região.",
                "ativa": 1,
                "severidade": 2,
                "status": 1,
                "pops": pops(6),
                **common,
            },
        ]

    # ---- queries ------------------------------------------------------------------------------
    def find_document(self, raw: str) -> Customer | None:
        """Find a customer by CPF/CNPJ the way SGP matches it (digits, or the stored mask)."""
        key = document_key(raw)
        customer = self.by_document.get(key)
        if customer is None:
            return None
        masked = raw.strip() == format_document(key)
        if customer.masked_only and not masked:
            return None
        return customer

    def with_phone(self, digits: str) -> list[Customer]:
        """Customers with a phone whose digits end with ``digits`` (SGP's ``telefone`` filter), in base order."""
        if len(digits) < _PHONE_TAIL:
            return [c for c in self.customers.values() if any(digits_only(p).endswith(digits) for p in c.phones)]
        if self._by_phone_tail is None:  # built on first use: phones are final once the base is generated
            index: dict[str, list[Customer]] = {}
            for customer in self.customers.values():
                for tail in dict.fromkeys(digits_only(p)[-_PHONE_TAIL:] for p in customer.phones):
                    index.setdefault(tail, []).append(customer)
            self._by_phone_tail = index
        candidates = self._by_phone_tail.get(digits[-_PHONE_TAIL:], [])
        return [c for c in candidates if any(digits_only(p).endswith(digits) for p in c.phones)]

    def invoices(self, contract: Contract) -> list[Invoice]:
        """All invoices of a contract (built on first use from the seed)."""
        cached = self._invoices.get(contract.id)
        if cached is not None:
            return cached
        rng = _FastRandom(f"{self.seed}:inv:{contract.id}")
        result: list[Invoice] = []
        for index, offset in enumerate(range(-5, 1)):
            year, month = month_shift(self.today, offset)
            due = date(year, month, contract.due_day)
            if due < contract.registered.date():
                continue
            unpaid = offset > -contract.overdue_months - 1 if contract.overdue_months else False
            status = "pago"
            if contract.initial_status == 3:
                status = "cancelado" if offset >= -1 else "pago"
            elif contract.initial_status == 2:
                status = "pago"
            elif (offset == 0 and not contract.paid_current) or (unpaid and offset < 0):
                status = "aberto"
            amount = contract.price_cents + (rng.pick((0, 0, 0, 500, 1000)) if offset < -2 else 0)
            paid_on = due - timedelta(days=rng.randrange(0, 6)) if status == "pago" else None
            token = hashlib.sha256(f"{self.seed}:{contract.id}:{index}".encode()).hexdigest()[:10].upper()
            result.append(
                Invoice(
                    id=contract.id * 100 + index,
                    contract_id=contract.id,
                    issued=due - timedelta(days=15),
                    due=due,
                    amount_cents=amount,
                    status=status,
                    paid_on=paid_on,
                    token=token,
                )
            )
        self._invoices[contract.id] = result
        return result

    def invoices_due(self, start: date | None, end: date | None) -> list[Invoice]:
        """Every invoice due within ``[start, end]`` (either bound open), in contract order.

        Campaign audiences query one day at a time; an index by due date keeps those calls cheap
        (invoices never change once built, only contracts do).
        """
        if self._by_due is None:
            self._by_due = {}
            for contract in self.contracts.values():
                for invoice in self.invoices(contract):
                    self._by_due.setdefault(invoice.due, []).append(invoice)
        days = sorted(d for d in self._by_due if (start is None or d >= start) and (end is None or d <= end))
        found = [invoice for day in days for invoice in self._by_due[day]]
        found.sort(key=lambda i: i.id)  # ids are contract id * 100 + index: contract order
        return found

    def invoice(self, invoice_id: int) -> Invoice | None:
        """One invoice by id (ids are contract id * 100 + index)."""
        contract = self.contracts.get(invoice_id // 100)
        if contract is None:
            return None
        return next((inv for inv in self.invoices(contract) if inv.id == invoice_id), None)

    def open_invoices(self, contract: Contract) -> list[Invoice]:
        """Open (unpaid, not cancelled) invoices, oldest due date first."""
        return sorted((i for i in self.invoices(contract) if i.status == "aberto"), key=lambda i: i.due)

    def corrected_cents(self, invoice: Invoice) -> int:
        """Amount with 2% fine plus 1%/month pro-rata interest when overdue."""
        if invoice.status != "aberto" or invoice.due >= self.today:
            return invoice.amount_cents
        days = (self.today - invoice.due).days
        return round(invoice.amount_cents * (1.02 + 0.01 * days / 30))

    def promises_this_month(self, contract: Contract) -> int:
        """How many payment promises the contract used in the current month."""
        return sum(1 for d in contract.promise_dates if (d.year, d.month) == (self.today.year, self.today.month))

    def outage_for_pop(self, pop_id: int, now: datetime) -> dict[str, object] | None:
        """The active outage covering ``pop_id`` at ``now``, if any."""
        fmt = "%Y-%m-%d %H:%M:%S"
        for outage in self.outages:
            start = datetime.strptime(str(outage["data_inicial"]), fmt)
            end = datetime.strptime(str(outage["data_final"]), fmt)
            pop_ids = {p["id"] for p in outage["pops"]}  # type: ignore[attr-defined]
            if outage["ativa"] == 1 and start <= now <= end and pop_id in pop_ids:
                return outage
        return None

    # ---- commands -------------------------------------------------------------------------------
    def open_ticket(self, contract: Contract, *, kind: str, content: str, work_order: bool, now: datetime) -> str:
        """Open an ocorrência and return its protocol (YYMMDD + a sequence, opaque to callers)."""
        self._protocol_seq += 1
        protocol = f"{now:%y%m%d}{self._protocol_seq:06d}"
        self.tickets.append(Ticket(protocol, contract.id, kind, content, work_order, now))
        return protocol

    def grant_promise(self, contract: Contract, *, days: int, now: datetime) -> tuple[str, date]:
        """Unlock a blocked contract for ``days`` days; returns (protocol, promise date)."""
        contract.status = 1
        contract.online = contract.pop_id != OUTAGE_POP_ID
        contract.promise_dates.append(self.today)
        contract.unlocked_until = self.today + timedelta(days=days)
        protocol = self.open_ticket(
            contract, kind="liberacaopromessa", content="Promessa de Pagamento", work_order=False, now=now
        )
        return protocol, contract.unlocked_until

"""Bodies of the agents' action and customer panel routes, with their OpenAPI examples."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

ActionName = Literal["send_bill", "register_promise", "open_ticket", "close"]
TicketKind = Literal["no_connection", "slow_connection", "technician_visit", "other"]
CloseReason = Literal["solved", "no_answer", "spam", "duplicate", "other"]
ContractId = Field(default=None, min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:-]+$")


class ActionRequest(BaseModel):
    """What an agent asks the bot to do for the customer: the bot's own flows, through SGP."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"action": "send_bill", "contract_id": "26515"},
                {"action": "register_promise", "contract_id": "26515"},
                {
                    "action": "open_ticket",
                    "contract_id": "26515",
                    "kind": "technician_visit",
                    "description": "ONU com luz LOS vermelha",
                },
                {"action": "close", "reason": "solved"},
            ]
        },
    )

    action: ActionName
    contract_id: str | None = ContractId
    kind: TicketKind | None = Field(default=None, description="open_ticket only")
    description: str | None = Field(default=None, min_length=1, max_length=1000, description="open_ticket only")
    reason: CloseReason | None = Field(
        default=None, description="close only: solved and other ask the satisfaction survey first"
    )

    @model_validator(mode="after")
    def _fits_the_action(self) -> ActionRequest:
        if self.action == "open_ticket" and self.kind is None:
            raise ValueError("open_ticket needs `kind`")
        if self.action == "close" and self.reason is None:
            raise ValueError("close needs `reason`")
        if self.action != "close" and self.reason is not None:
            raise ValueError("`reason` is for close only")
        if self.action != "open_ticket" and (self.kind is not None or self.description is not None):
            raise ValueError("`kind` and `description` are for open_ticket only")
        return self


class ActionAccepted(BaseModel):
    """The command's id (the same for the same Idempotency-Key); its result comes on the stream and as a
    system turn of the conversation."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"command_id": "5d7c0b1e-2f4a-5b6c-8d9e-0f1a2b3c4d5e"}]})

    command_id: str


class OpenBill(BaseModel):
    """An open invoice of a contract."""

    invoice_id: str
    due_date: str = Field(description="ISO date")
    amount: float = Field(description="reais, what the customer pays today")
    overdue: bool


class PanelContract(BaseModel):
    """One contract of the customer, as SGP reports it now."""

    contract_id: str
    plan: str
    status: str = Field(description="ativo, suspenso, cancelado, ... (as listed at identification)")
    connection: Literal["online", "offline", "blocked", "unknown"]
    open_bills: list[OpenBill]
    promise_eligible: bool = Field(description="a trust unlock may be asked (SGP decides, quota included)")
    promise_reason: str | None = Field(description="why not, in pt-BR; null when eligible")


PANEL_EXAMPLE = {
    "document_masked": "***.982.247-**",
    "customer_name": "MARIA DA SILVA",
    "contracts": [
        {
            "contract_id": "26515",
            "plan": "Fibra 300",
            "status": "suspenso",
            "connection": "blocked",
            "open_bills": [{"invoice_id": "i1", "due_date": "2026-03-10", "amount": 129.9, "overdue": True}],
            "promise_eligible": True,
            "promise_reason": None,
        }
    ],
    "fetched_at": 1764820090.2,
}


class CustomerPanel(BaseModel):
    """The identified customer beside the conversation: contracts, connection, open bills (CPF masked)."""

    model_config = ConfigDict(json_schema_extra={"examples": [PANEL_EXAMPLE]})

    document_masked: str
    customer_name: str
    contracts: list[PanelContract]
    fetched_at: float

"""Translation between the bus's protobuf events and the dialogue's inputs and effects."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime

from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp

from atende.conversation.v1 import conversation_pb2 as conv
from atende.nlu.v1 import nlu_pb2 as nlu
from atende.sgp.v1 import sgp_pb2 as sgp
from atende.whatsapp.v1 import whatsapp_pb2 as wa
from atende_conversation.domain import effects as fx
from atende_conversation.domain import inputs as i
from atende_conversation.domain.model import SgpOp

# Namespace of the deterministic ids (command ids, event ids) this service derives.
ID_NAMESPACE = uuid.UUID("6f1c1d52-7f0e-4a8e-9a57-0c0f5b8f2a11")

_CONTRACT_STATUS = {
    sgp.CONTRACT_STATUS_ACTIVE: "active",
    sgp.CONTRACT_STATUS_INACTIVE: "inactive",
    sgp.CONTRACT_STATUS_CANCELLED: "cancelled",
    sgp.CONTRACT_STATUS_SUSPENDED: "suspended",
    sgp.CONTRACT_STATUS_TECHNICALLY_UNFEASIBLE: "unfeasible",
    sgp.CONTRACT_STATUS_NEW: "new",
    sgp.CONTRACT_STATUS_REDUCED_SPEED: "reduced_speed",
}
_LINK_STATE = {
    sgp.ConnectionReport.STATE_ONLINE: i.LinkState.ONLINE,
    sgp.ConnectionReport.STATE_OFFLINE: i.LinkState.OFFLINE,
    sgp.ConnectionReport.STATE_BLOCKED: i.LinkState.BLOCKED,
}
_PROMISE = {
    sgp.PaymentPromiseResult.OUTCOME_GRANTED: i.PromiseOutcome.GRANTED,
    sgp.PaymentPromiseResult.OUTCOME_QUOTA_REACHED: i.PromiseOutcome.QUOTA_REACHED,
    sgp.PaymentPromiseResult.OUTCOME_NOT_BLOCKED: i.PromiseOutcome.NOT_BLOCKED,
    sgp.PaymentPromiseResult.OUTCOME_NOT_ELIGIBLE: i.PromiseOutcome.NOT_ELIGIBLE,
}


def derived_id(conversation_id: str, input_id: str, index: int) -> str:
    """The deterministic id of the `index`-th effect of one input (same after a replay)."""
    return str(uuid.uuid5(ID_NAMESPACE, f"{conversation_id}|{input_id}|{index}"))


def timestamp(at: datetime) -> Timestamp:
    """A protobuf Timestamp of an aware datetime."""
    stamp = Timestamp()
    stamp.FromDatetime(at.astimezone(UTC))
    return stamp


# --- inbound events → inputs ----------------------------------------------------------------------


def customer_message(event: conv.InboundMessage) -> i.CustomerMessage:
    """A normalized WhatsApp message as the dialogue sees it."""
    kind, text, choice_id = i.MessageKind.MEDIA, "", ""
    match event.WhichOneof("content"):
        case "text":
            kind, text = i.MessageKind.TEXT, event.text.body
        case "interactive_reply":
            kind, text, choice_id = i.MessageKind.CHOICE, event.interactive_reply.title, event.interactive_reply.id
        case "template_button":
            button = event.template_button
            kind, text, choice_id = i.MessageKind.CHOICE, button.text, button.payload or button.text
        case "reaction":
            kind = i.MessageKind.REACTION
        case "media":
            text = event.media.caption
    return i.CustomerMessage(
        message_id=event.message_id,
        kind=kind,
        text=text,
        choice_id=choice_id,
        stale=event.stale,
        profile_name=event.profile_name,
        phone_number_id=event.phone_number_id,
        reply_to=getattr(event, "from") or event.wa_id,
    )


def nlu_answer(event: nlu.TextAnalyzed) -> i.NluAnswer:
    """The NLU's reading."""
    return i.NluAnswer(
        request_id=event.request_id,
        intent=event.intent,
        confidence=event.confidence,
        sentiment=event.sentiment or "neutro",
        sentiment_score=event.sentiment_score,
        entities=tuple(i.Entity(e.type, e.value, e.valid) for e in event.entities),
        sentiment_intensity=event.sentiment_intensity,
    )


def sgp_answer(event: sgp.SgpResult) -> i.SgpAnswer | None:
    """SGP's answer, or None for outcomes the dialogue never asks for (campaign audiences)."""
    outcome: i.SgpOutcome
    match event.WhichOneof("outcome"):
        case "customer_found":
            found = event.customer_found
            outcome = i.CustomerFound(
                customer_id=found.customer_id,
                name=found.name,
                document_masked=found.document_masked,
                contracts=tuple(
                    i.SgpContract(k.contract_id, _CONTRACT_STATUS.get(k.status, ""), k.plan, k.address)
                    for k in found.contracts
                ),
            )
        case "customer_not_found":
            outcome = i.CustomerNotFound(event.customer_not_found.document_masked)
        case "invoices":
            outcome = i.Invoices(
                tuple(
                    i.OpenInvoice(
                        invoice_id=v.invoice_id,
                        due_date=v.due_date,
                        amount_cents=v.amount_cents,
                        pdf_url=v.pdf_url,
                        pix_code=v.pix_code,
                        digitable_line=v.digitable_line,
                        overdue=v.overdue,
                    )
                    for v in event.invoices.invoices
                )
            )
        case "payment_promise":
            promise = event.payment_promise
            outcome = i.PromiseResult(
                outcome=_PROMISE.get(promise.outcome, i.PromiseOutcome.ERROR),
                until=promise.until,
                days=promise.days,
                protocol=promise.protocol,
            )
        case "connection":
            report = event.connection
            outcome = i.ConnectionStatus(
                state=_LINK_STATE.get(report.state, i.LinkState.UNKNOWN),
                outages=tuple(i.OutageInfo(o.customer_message or o.title, o.ends_at) for o in report.outages),
            )
        case "ticket_opened":
            outcome = i.TicketOpened(event.ticket_opened.protocol)
        case "unavailable":
            outcome = i.SgpUnavailable(event.unavailable.reason)
        case "rejected":
            outcome = i.SgpRejected(event.rejected.reason)
        case _:
            return None
    return i.SgpAnswer(event.request_id, outcome)


def agent_action(event: Message) -> i.AgentAction | None:
    """An operator's action from conversation.events, None for the other facts on that topic."""
    if isinstance(event, conv.HandoffAccepted):
        return i.AgentAction(i.AgentActionKind.ACCEPTED, event.agent_id)
    if isinstance(event, conv.AgentReplied):
        return i.AgentAction(i.AgentActionKind.REPLIED, event.agent_id, event.text)
    if isinstance(event, conv.HandoffReleased):
        return i.AgentAction(i.AgentActionKind.RELEASED, event.agent_id)
    return None


def agent_command(event: conv.AgentActionRequested) -> i.AgentCommand:
    """An agent's console action; an empty or unknown one reads as action '' (answered as invalid)."""
    command = i.AgentCommand(command_id=event.command_id, agent_id=event.agent_id, action="")
    match event.WhichOneof("action"):
        case "send_bill":
            return replace(command, action=i.CommandKind.SEND_BILL, contract_id=event.send_bill.contract_id)
        case "register_promise":
            contract_id = event.register_promise.contract_id
            return replace(command, action=i.CommandKind.REGISTER_PROMISE, contract_id=contract_id)
        case "open_ticket":
            ticket = event.open_ticket
            return replace(
                command,
                action=i.CommandKind.OPEN_TICKET,
                contract_id=ticket.contract_id,
                ticket_kind=ticket.kind,
                description=ticket.description,
            )
        case "close":
            return replace(command, action=i.CommandKind.CLOSE, reason=event.close.reason)
    return command


# --- effects → events -----------------------------------------------------------------------------


def send_message(
    effect: fx.Send | fx.MarkRead, *, command_id: str, conversation_id: str, phone_number_id: str, to: str
) -> wa.SendMessage:
    """The connector command for a message effect."""
    command = wa.SendMessage(
        command_id=command_id, conversation_id=conversation_id, phone_number_id=phone_number_id, to=to
    )
    match effect:
        case fx.SendText(body=body):
            command.text.CopyFrom(wa.Text(body=body))
        case fx.SendButtons(body=body, buttons=buttons):
            command.buttons.CopyFrom(
                wa.ReplyButtons(body=body, buttons=[wa.Button(id=b.id, title=b.title) for b in buttons])
            )
        case fx.SendList(body=body, button=button, rows=rows, section_title=title):
            section = wa.ListSection(
                title=title, rows=[wa.ListRow(id=r.id, title=r.title, description=r.description) for r in rows]
            )
            command.list.CopyFrom(wa.ListMessage(body=body, button=button, sections=[section]))
        case fx.SendDocument(link=link, filename=filename, caption=caption):
            command.document.CopyFrom(wa.Media(link=link, filename=filename, caption=caption))
        case fx.MarkRead(message_id=message_id, typing_indicator=typing):
            command.mark_read.CopyFrom(wa.MarkRead(message_id=message_id, typing_indicator=typing))
    return command


def analyze_text(effect: fx.RequestNlu, *, conversation_id: str) -> nlu.AnalyzeText:
    """The NLU request."""
    return nlu.AnalyzeText(
        request_id=effect.request_id,
        conversation_id=conversation_id,
        text=effect.text,
        context=[nlu.Turn(role=t.role, text=t.text) for t in effect.context],
        message_id=effect.message_id,
    )


def sgp_request(effect: fx.RequestSgp, *, conversation_id: str) -> sgp.SgpRequest:
    """The SGP request."""
    request = sgp.SgpRequest(request_id=effect.request_id, conversation_id=conversation_id)
    op: SgpOp = effect.op
    match op.name:
        case "lookup_customer":
            request.lookup_customer.CopyFrom(sgp.LookupCustomer(document=op.document))
        case "list_open_invoices":
            request.list_open_invoices.CopyFrom(sgp.ListOpenInvoices(contract_id=op.contract_id))
        case "register_payment_promise":
            request.register_payment_promise.CopyFrom(sgp.RegisterPaymentPromise(contract_id=op.contract_id))
        case "check_connection":
            request.check_connection.CopyFrom(sgp.CheckConnection(contract_id=op.contract_id))
        case "open_ticket":
            request.open_ticket.CopyFrom(
                sgp.OpenTicket(
                    contract_id=op.contract_id,
                    kind=op.ticket_kind,
                    description=op.description,
                    contact_name=op.contact_name,
                    contact_phone=op.contact_phone,
                )
            )
        case _:
            msg = f"unknown SGP operation {op.name!r}"
            raise ValueError(msg)
    return request


def fact_event(
    fact: fx.Fact, *, conversation_id: str, at: datetime, phone_number_id: str = "", wa_id: str = ""
) -> Message:
    """The conversation.events event of a fact (`phone_number_id`/`wa_id`: where the customer is
    reached, carried where a consumer needs the number, which the pseudonymous id does not give)."""
    when = timestamp(at)
    match fact:
        case fx.ConversationStarted():
            return conv.ConversationStarted(
                conversation_id=conversation_id, occurred_at=when, phone_number_id=phone_number_id, wa_id=wa_id
            )
        case fx.CustomerIdentified():
            return conv.CustomerIdentified(
                conversation_id=conversation_id,
                occurred_at=when,
                customer_id=fact.customer_id,
                contract_id=fact.contract_id,
                document_masked=fact.document_masked,
                document_index=fact.document_index,
                customer_name=fact.customer_name,
                contracts=[
                    conv.IdentifiedContract(contract_id=k.contract_id, status=k.status, plan=k.plan)
                    for k in fact.contracts
                ],
            )
        case fx.HandoffRequested():
            return conv.HandoffRequested(
                conversation_id=conversation_id,
                occurred_at=when,
                reason=fact.reason,
                within_business_hours=fact.within_business_hours,
                customer_name=fact.customer_name,
                last_message=fact.last_message,
                phone_number_id=phone_number_id,
                wa_id=wa_id,
            )
        case fx.ConversationClosed():
            return conv.ConversationClosed(
                conversation_id=conversation_id,
                occurred_at=when,
                outcome=fact.outcome,
                intents=list(fact.intents),
                reason=fact.reason,
                agent_id=fact.agent_id,
            )
        case fx.CsatRecorded():
            return conv.CsatRecorded(conversation_id=conversation_id, occurred_at=when, score=fact.score)
        case fx.ActionCompleted():
            return conv.AgentActionCompleted(
                command_id=fact.command_id,
                conversation_id=conversation_id,
                occurred_at=when,
                agent_id=fact.agent_id,
                action=fact.action,
                outcome=fact.outcome,
                detail=fact.detail,
            )

"""SendMessage → the exact Graph API JSON of reference §3 and §7.4–§7.7, and limit checks before sending."""

from typing import Any

import pytest

from atende.whatsapp.v1.whatsapp_pb2 import (
    Button,
    ListMessage,
    ListRow,
    ListSection,
    MarkRead,
    Media,
    Reaction,
    ReplyButtons,
    SendMessage,
    Template,
    TemplateButton,
    TemplateParameter,
    Text,
)
from atende_whatsapp_connector.domain.outbound import InvalidCommand, build_payload, with_template

pytestmark = pytest.mark.unit

TEXT = TemplateParameter.KIND_TEXT
BASE = {"messaging_product": "whatsapp", "recipient_type": "individual", "to": "+16505551234"}


def command(**content: Any) -> SendMessage:
    return SendMessage(command_id="c1", conversation_id="106540352242922:16505551234", to="16505551234", **content)


def test_text_with_link_preview_and_reply_context() -> None:
    cmd = command(text=Text(body="Veja https://atende.example/fatura", preview_url=True), reply_to_message_id="wamid.Q")
    assert build_payload(cmd) == {
        **BASE,
        "type": "text",
        "text": {"body": "Veja https://atende.example/fatura", "preview_url": True},
        "context": {"message_id": "wamid.Q"},
    }


def test_image_by_id_and_document_by_link() -> None:
    assert build_payload(command(image=Media(media_id="1013859600285441", caption="Seu modem"))) == {
        **BASE,
        "type": "image",
        "image": {"id": "1013859600285441", "caption": "Seu modem"},
    }
    doc = Media(link="https://files.example/boleto.pdf", filename="boleto-2026-04.pdf", caption="Boleto")
    assert build_payload(command(document=doc)) == {
        **BASE,
        "type": "document",
        "document": {"link": "https://files.example/boleto.pdf", "caption": "Boleto", "filename": "boleto-2026-04.pdf"},
    }


def test_audio_and_video() -> None:
    assert build_payload(command(audio=Media(media_id="9"))) == {**BASE, "type": "audio", "audio": {"id": "9"}}
    assert build_payload(command(video=Media(link="https://v.example/a.mp4", caption="Como reiniciar"))) == {
        **BASE,
        "type": "video",
        "video": {"link": "https://v.example/a.mp4", "caption": "Como reiniciar"},
    }


def test_reference_7_4_template_with_document_header_body_and_quick_reply() -> None:
    template = Template(
        name="invoice_ready",
        language="en_US",
        header=[
            TemplateParameter(
                kind=TemplateParameter.KIND_DOCUMENT,
                media=Media(media_id="1013859600285441", filename="invoice-4711.pdf"),
            )
        ],
        body=[TemplateParameter(kind=TEXT, text="Ana"), TemplateParameter(kind=TEXT, text="4711")],
        buttons=[
            TemplateButton(
                sub_type="quick_reply",
                index=0,
                parameters=[TemplateParameter(kind=TemplateParameter.KIND_PAYLOAD, text="INVOICE_QUESTION:4711")],
            )
        ],
    )
    cmd = command(template=template, biz_opaque_callback_data="invoice-4711")
    assert build_payload(cmd) == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": "+16505551234",
        "type": "template",
        "biz_opaque_callback_data": "invoice-4711",
        "template": {
            "name": "invoice_ready",
            "language": {"code": "en_US"},
            "components": [
                {
                    "type": "header",
                    "parameters": [
                        {"type": "document", "document": {"id": "1013859600285441", "filename": "invoice-4711.pdf"}}
                    ],
                },
                {"type": "body", "parameters": [{"type": "text", "text": "Ana"}, {"type": "text", "text": "4711"}]},
                {
                    "type": "button",
                    "sub_type": "quick_reply",
                    "index": "0",
                    "parameters": [{"type": "payload", "payload": "INVOICE_QUESTION:4711"}],
                },
            ],
        },
    }


def test_template_defaults_to_pt_br_and_supports_named_params_image_headers_and_url_buttons() -> None:
    template = Template(
        name="pesquisa_satisfacao",
        header=[TemplateParameter(kind=TemplateParameter.KIND_IMAGE, media=Media(link="https://i.example/logo.png"))],
        body=[TemplateParameter(kind=TEXT, text="Maria", parameter_name="customer_name")],
        buttons=[TemplateButton(sub_type="url", index=1, parameters=[TemplateParameter(kind=TEXT, text="abc123")])],
    )
    assert build_payload(command(template=template))["template"] == {
        "name": "pesquisa_satisfacao",
        "language": {"code": "pt_BR"},
        "components": [
            {"type": "header", "parameters": [{"type": "image", "image": {"link": "https://i.example/logo.png"}}]},
            {"type": "body", "parameters": [{"type": "text", "text": "Maria", "parameter_name": "customer_name"}]},
            {"type": "button", "sub_type": "url", "index": "1", "parameters": [{"type": "text", "text": "abc123"}]},
        ],
    }


def test_reference_7_5_reply_buttons() -> None:
    buttons = ReplyButtons(
        header="Order 4711",
        body="Did this answer your question?",
        footer="Acme Support",
        buttons=[
            Button(id="csat_yes", title="Yes, thanks"),
            Button(id="csat_no", title="No"),
            Button(id="handoff_agent", title="Talk to a human"),
        ],
    )
    assert build_payload(command(buttons=buttons)) == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": "+16505551234",
        "type": "interactive",
        "interactive": {
            "type": "button",
            "header": {"type": "text", "text": "Order 4711"},
            "body": {"text": "Did this answer your question?"},
            "footer": {"text": "Acme Support"},
            "action": {
                "buttons": [
                    {"type": "reply", "reply": {"id": "csat_yes", "title": "Yes, thanks"}},
                    {"type": "reply", "reply": {"id": "csat_no", "title": "No"}},
                    {"type": "reply", "reply": {"id": "handoff_agent", "title": "Talk to a human"}},
                ]
            },
        },
    }


def reference_list() -> ListMessage:
    return ListMessage(
        header="How can we help?",
        body="Pick a topic and I'll take it from there.",
        footer="Acme Support",
        button="Choose topic",
        sections=[
            ListSection(
                title="Billing",
                rows=[
                    ListRow(id="billing_invoice", title="Get my invoice", description="PDF copy of last invoice"),
                    ListRow(id="billing_refund", title="Refund status"),
                ],
            ),
            ListSection(
                title="Orders",
                rows=[
                    ListRow(id="order_track", title="Track my order"),
                    ListRow(id="order_cancel", title="Cancel an order", description="Only before shipping"),
                ],
            ),
        ],
    )


def test_reference_7_6_list() -> None:
    assert build_payload(command(list=reference_list())) == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": "+16505551234",
        "type": "interactive",
        "interactive": {
            "type": "list",
            "header": {"type": "text", "text": "How can we help?"},
            "body": {"text": "Pick a topic and I'll take it from there."},
            "footer": {"text": "Acme Support"},
            "action": {
                "button": "Choose topic",
                "sections": [
                    {
                        "title": "Billing",
                        "rows": [
                            {
                                "id": "billing_invoice",
                                "title": "Get my invoice",
                                "description": "PDF copy of last invoice",
                            },
                            {"id": "billing_refund", "title": "Refund status"},
                        ],
                    },
                    {
                        "title": "Orders",
                        "rows": [
                            {"id": "order_track", "title": "Track my order"},
                            {"id": "order_cancel", "title": "Cancel an order", "description": "Only before shipping"},
                        ],
                    },
                ],
            },
        },
    }


def test_reference_7_7_mark_read_with_typing_indicator() -> None:
    assert build_payload(command(mark_read=MarkRead(message_id="wamid.IN", typing_indicator=True))) == {
        "messaging_product": "whatsapp",
        "status": "read",
        "message_id": "wamid.IN",
        "typing_indicator": {"type": "text"},
    }
    assert build_payload(command(mark_read=MarkRead(message_id="wamid.IN"))) == {
        "messaging_product": "whatsapp",
        "status": "read",
        "message_id": "wamid.IN",
    }


def test_reaction_and_its_removal() -> None:
    assert build_payload(command(reaction=Reaction(message_id="wamid.IN", emoji="👍"))) == {
        **BASE,
        "type": "reaction",
        "reaction": {"message_id": "wamid.IN", "emoji": "👍"},
    }
    assert build_payload(command(reaction=Reaction(message_id="wamid.IN")))["reaction"]["emoji"] == ""


def test_recipient_gets_plus_and_country_code() -> None:
    cmd = SendMessage(to="+55 (11) 98765-4321", text=Text(body="oi"))
    assert build_payload(cmd)["to"] == "+5511987654321"


def rows(n: int, section_count: int = 1) -> list[ListSection]:
    per = n // section_count
    return [
        ListSection(title=f"S{s}", rows=[ListRow(id=f"r{s}-{i}", title="t") for i in range(per)])
        for s in range(section_count)
    ]


@pytest.mark.parametrize(
    ("content", "code", "fragment"),
    [
        ({}, 131008, "no content"),
        ({"text": Text(body="")}, 131008, "text body is required"),
        ({"text": Text(body="x" * 4097)}, 131009, "text body has 4097 characters; the limit is 4096"),
        ({"image": Media()}, 100, "exactly one of media_id and link"),
        ({"image": Media(media_id="1", link="https://x")}, 100, "exactly one"),
        ({"image": Media(link="ftp://x/y.png")}, 100, "http(s) URL"),
        ({"image": Media(media_id="1", caption="c" * 1025)}, 131009, "image caption has 1025"),
        ({"audio": Media(media_id="1", caption="c")}, 100, "audio cannot have a caption"),
        ({"image": Media(media_id="1", filename="a.png")}, 100, "documents only"),
        (
            {"buttons": ReplyButtons(body="b", buttons=[Button(id=str(i), title=str(i)) for i in range(4)])},
            131009,
            "4 given; 1 to 3 allowed",
        ),
        ({"buttons": ReplyButtons(body="b")}, 131009, "0 given"),
        ({"buttons": ReplyButtons(body="b", buttons=[Button(id="1", title="x" * 21)])}, 131009, "button title has 21"),
        (
            {"buttons": ReplyButtons(body="b", buttons=[Button(id="1", title="Sim"), Button(id="2", title="Sim")])},
            131009,
            "unique",
        ),
        ({"buttons": ReplyButtons(body="", buttons=[Button(id="1", title="a")])}, 131008, "body is required"),
        ({"buttons": ReplyButtons(body="x" * 1025, buttons=[Button(id="1", title="a")])}, 131009, "body has 1025"),
        ({"buttons": ReplyButtons(body="b", header="h" * 61, buttons=[Button(id="1", title="a")])}, 131009, "header"),
        ({"list": ListMessage(body="b", button="Ver", sections=rows(11))}, 131009, "11 rows given"),
        ({"list": ListMessage(body="b", button="Ver", sections=rows(12, 2))}, 131009, "12 rows given"),
        ({"list": ListMessage(body="b", button="Ver", sections=rows(11, 11))}, 131009, "11 sections given"),
        ({"list": ListMessage(body="b", button="x" * 21, sections=rows(2))}, 131009, "list button has 21"),
        (
            {
                "list": ListMessage(
                    body="b", button="Ver", sections=[ListSection(rows=[ListRow(id="1", title="t" * 25)])]
                )
            },
            131009,
            "row title has 25",
        ),
        (
            {
                "list": ListMessage(
                    body="b",
                    button="Ver",
                    sections=[ListSection(rows=[ListRow(id="1", title="t", description="d" * 73)])],
                )
            },
            131009,
            "row description has 73",
        ),
        (
            {
                "list": ListMessage(
                    body="b",
                    button="Ver",
                    sections=[
                        ListSection(title="A", rows=[ListRow(id="1", title="t")]),
                        ListSection(rows=[ListRow(id="2", title="t")]),
                    ],
                )
            },
            131008,
            "section title is required",
        ),
        (
            {
                "list": ListMessage(
                    body="b", button="Ver", sections=[ListSection(title="x" * 25, rows=[ListRow(id="1", title="t")])]
                )
            },
            131009,
            "section title has 25",
        ),
        ({"template": Template()}, 131008, "template.name"),
        (
            {"template": Template(name="t", body=[TemplateParameter(kind=TEXT, text="linha 1\nlinha 2")])},
            100,
            "new lines",
        ),
        ({"template": Template(name="t", body=[TemplateParameter()])}, 100, "no kind"),
        ({"template": Template(name="t", buttons=[TemplateButton(sub_type="call", index=0)])}, 100, "sub_type"),
        ({"template": Template(name="t", buttons=[TemplateButton(sub_type="url", index=10)])}, 131009, "index"),
        ({"mark_read": MarkRead()}, 131008, "mark_read.message_id"),
        ({"reaction": Reaction(emoji="👍")}, 131008, "reaction.message_id"),
    ],
)
def test_limits_are_checked_before_sending(content: dict[str, Any], code: int, fragment: str) -> None:
    with pytest.raises(InvalidCommand) as caught:
        build_payload(command(**content))
    assert caught.value.code == code
    assert fragment in caught.value.details
    error = caught.value.graph_error()
    assert error.code == code
    assert error.details == caught.value.details


def test_ten_rows_across_sections_is_the_maximum_allowed() -> None:
    payload = build_payload(command(list=ListMessage(body="b", button="Ver", sections=rows(10, 2))))
    assert sum(len(s["rows"]) for s in payload["interactive"]["action"]["sections"]) == 10


@pytest.mark.parametrize("to", ["", "abc", "+1234", "1" * 16])
def test_invalid_recipients(to: str) -> None:
    with pytest.raises(InvalidCommand, match=r"E\.164"):
        build_payload(SendMessage(to=to, text=Text(body="oi")))


def test_opaque_callback_data_limit() -> None:
    with pytest.raises(InvalidCommand, match="biz_opaque_callback_data"):
        build_payload(command(text=Text(body="oi"), biz_opaque_callback_data="x" * 513))


def test_fallback_copy_keeps_the_recipient_and_drops_the_free_form_content() -> None:
    original = command(text=Text(body="oi"), fallback_template=Template(name="retomada"))
    fallback = with_template(original, original.fallback_template, command_id="c1:reengagement")
    assert fallback.WhichOneof("content") == "template"
    assert (fallback.command_id, fallback.to, fallback.conversation_id) == (
        "c1:reengagement",
        original.to,
        original.conversation_id,
    )
    assert not fallback.HasField("fallback_template")

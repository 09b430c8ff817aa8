"""Sample pt-BR templates of an ISP's WhatsApp Business Account (WHATSAPP_SIM_SAMPLE_TEMPLATES): approved
ones an agent can send when the 24-hour window is closed, with and without body parameters, and one
pending and one rejected, which the connector must leave out of the console's list."""

from __future__ import annotations

from .templates import Template

SAMPLE_TEMPLATES = (
    Template(
        id="1000000000000101",
        name="retomar_atendimento",
        language="pt_BR",
        category="UTILITY",
        status="APPROVED",
        components=[
            {
                "type": "BODY",
                "text": "Olá, {{1}}! Aqui é {{2}}, da central de atendimento. Nossa conversa ficou pendente: "
                "responda esta mensagem para continuarmos de onde paramos.",
                "example": {"body_text": [["Maria", "Ana"]]},
            },
            {"type": "FOOTER", "text": "Atendimento ao cliente"},
        ],
    ),
    Template(
        id="1000000000000102",
        name="lembrete_contato",
        language="pt_BR",
        category="UTILITY",
        status="APPROVED",
        components=[
            {
                "type": "BODY",
                "text": "Olá! Ainda estamos à disposição para concluir o seu atendimento. "
                "Toque no botão abaixo ou responda quando puder.",
            },
            {"type": "BUTTONS", "buttons": [{"type": "QUICK_REPLY", "text": "Continuar atendimento"}]},
        ],
    ),
    Template(
        id="1000000000000103",
        name="visita_tecnica_agendada",
        language="pt_BR",
        category="UTILITY",
        status="APPROVED",
        components=[
            {
                "type": "BODY",
                "text": "Olá, {{1}}! Sua visita técnica está agendada para {{2}}, no período {{3}}. "
                "Se precisar remarcar, responda esta mensagem.",
                "example": {"body_text": [["Maria", "12/12/2026", "da manhã (8h às 12h)"]]},
            },
        ],
    ),
    Template(
        id="1000000000000104",
        name="fatura_disponivel",
        language="pt_BR",
        category="UTILITY",
        status="APPROVED",
        components=[
            {"type": "HEADER", "format": "DOCUMENT"},
            {
                "type": "BODY",
                "text": "Olá, {{1}}! Sua fatura com vencimento em {{2}} está disponível no arquivo acima.",
                "example": {"body_text": [["Maria", "10/12/2026"]]},
            },
        ],
    ),
    Template(
        id="1000000000000105",
        name="manutencao_programada",
        language="pt_BR",
        category="UTILITY",
        status="PENDING",
        components=[
            {
                "type": "BODY",
                "text": "Olá, {{1}}! Faremos uma manutenção programada na sua região em {{2}}. "
                "A conexão pode oscilar por alguns minutos.",
                "example": {"body_text": [["Maria", "14/12/2026, das 2h às 4h"]]},
            },
        ],
    ),
    Template(
        id="1000000000000106",
        name="oferta_upgrade_plano",
        language="pt_BR",
        category="MARKETING",
        status="REJECTED",
        components=[
            {
                "type": "BODY",
                "text": "{{1}}, dobre sua velocidade por apenas R$ {{2}} a mais! Responda SIM para contratar.",
                "example": {"body_text": [["Maria", "19,90"]]},
            },
        ],
    ),
)

"""Every text a customer reads, in Brazilian Portuguese: short, friendly, the ISP's name configurable.

Money is shown as R$ 1.234,56 and dates as dd/mm/aaaa. Titles respect WhatsApp's limits (button ≤ 20,
row ≤ 24, description ≤ 72); `effects.py` enforces them when a message is built.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import choices as c
from .effects import Button, Row, Send, SendButtons, SendDocument, SendList, SendText
from .formatting import date_br, first_name, money, truncate
from .inputs import OpenInvoice, OutageInfo
from .model import ContractInfo, Goal

CONTRACTS_PER_PAGE = 9  # the tenth row is "more contracts" when needed

AGENT_BUTTON = Button(c.MENU_AGENT, "Falar c/ atendente")
MENU_BUTTON = Button(c.MENU_MAIN, "Menu principal")
END_BUTTON = Button(c.END, "Não, obrigado")

CONTRACT_STATUS_PT = {
    "active": "Ativo",
    "suspended": "Suspenso",
    "reduced_speed": "Velocidade reduzida",
    "inactive": "Inativo",
    "cancelled": "Cancelado",
    "new": "Novo",
}


@dataclass(frozen=True, slots=True)
class Catalog:
    """The bot's words for one ISP."""

    isp_name: str = "Atende Fibra"

    # --- greeting and menu --------------------------------------------------------------------

    def greeting(self, profile_name: str) -> str:
        """The first line of a session."""
        name = first_name(profile_name)
        hello = f"Olá, {name}! 👋" if name else "Olá! 👋"
        return f"{hello} Sou o assistente virtual da {self.isp_name}."

    def menu(self, intro: str = "") -> SendList:
        """The main menu as a list."""
        body = "Como posso te ajudar? Toque em *Ver opções* e escolha, ou escreva sua dúvida."
        return SendList(
            body=f"{intro}\n\n{body}" if intro else body,
            button="Ver opções",
            section_title="Atendimento",
            rows=(
                Row("menu:bill", "2ª via da fatura", "Boleto em PDF e código PIX"),
                Row("menu:promise", "Desbloqueio em confiança", "Libere sua internet e pague depois"),
                Row("menu:no_connection", "Estou sem internet", "Verificar conexão e instabilidades"),
                Row("menu:slow", "Internet lenta", "Dicas rápidas e abertura de chamado"),
                Row("menu:visit", "Visita técnica", "Confirmar ou remarcar sua visita"),
                Row(c.MENU_AGENT, "Falar com atendente", "Atendimento com nossa equipe"),
            ),
        )

    def clarify(self) -> SendList:
        """The NLU did not understand: show the menu again."""
        return self.menu("Desculpe, não entendi. 🤔 Pode escrever de outro jeito ou escolher uma opção?")

    def option_gone(self) -> SendList:
        """A button of an old message was tapped."""
        return self.menu("Essa opção não vale mais por aqui.")

    def media_not_understood(self) -> SendList:
        """Audio, image or sticker: the bot reads text only."""
        return self.menu("Por aqui eu só consigo ler mensagens de texto. 🙏")

    def nlu_timeout(self) -> SendList:
        """The NLU did not answer in time."""
        return self.menu("Desculpe, tive um probleminha para entender agora.")

    def please_wait(self) -> SendText:
        """A message arrived while SGP is still being asked."""
        return SendText("Só um instante, ainda estou consultando… ⏳")

    def anything_else(self, intro: str = "") -> SendButtons:
        """A request was served: offer more help or to finish."""
        body = "Posso ajudar em mais alguma coisa?"
        return SendButtons(f"{intro}\n\n{body}" if intro else body, (MENU_BUTTON, END_BUTTON))

    # --- identification -----------------------------------------------------------------------

    def ask_document(self) -> SendButtons:
        """Ask the customer's CPF (or CNPJ)."""
        return SendButtons(
            "Para continuar, me envie o *CPF* (ou CNPJ) do titular do contrato, só os números. 🔒",
            (AGENT_BUTTON,),
        )

    def document_invalid(self, tries_left: int) -> SendButtons:
        """The number fails the check digits."""
        plural = "tentativa" if tries_left == 1 else "tentativas"
        return SendButtons(
            f"Hmm, esse número não parece um CPF ou CNPJ válido. Confere e me envia de novo? "
            f"(mais {tries_left} {plural})",
            (AGENT_BUTTON,),
        )

    def customer_not_found(self, masked: str, tries_left: int) -> SendButtons:
        """No customer has this document."""
        plural = "tentativa" if tries_left == 1 else "tentativas"
        return SendButtons(
            f"Não encontrei cadastro com o documento {masked}. Confere o número e me envia de novo "
            f"(mais {tries_left} {plural}), ou fale com um atendente.",
            (AGENT_BUTTON,),
        )

    def no_contracts(self) -> SendButtons:
        """The customer exists but has no contract to act on."""
        return SendButtons(
            "Encontrei seu cadastro, mas não há nenhum contrato nele. Um atendente pode te ajudar.",
            (AGENT_BUTTON, END_BUTTON),
        )

    def identified(self, name: str, masked: str) -> str:
        """Confirmation that we know who the customer is."""
        who = first_name(name)
        return f"Pronto{', ' + who if who else ''}! Encontrei seu cadastro ({masked})."

    def choose_contract(self, contracts: list[ContractInfo], page: int, total: int) -> SendList:
        """A list of contracts; after nine, a 'more' row pages on."""
        start = page * CONTRACTS_PER_PAGE
        shown = contracts[start : start + CONTRACTS_PER_PAGE]
        rows = [
            Row(
                f"{c.CONTRACT_PREFIX}{contract.contract_id}",
                truncate(f"Contrato {contract.contract_id}", 24),
                truncate(_contract_description(contract), 72),
            )
            for contract in shown
        ]
        if start + CONTRACTS_PER_PAGE < total:
            rows.append(Row(c.CONTRACT_MORE, "Ver mais contratos", f"Mostrar os próximos de {total}"))
        return SendList(
            body=f"Encontrei {total} contratos no seu nome. Sobre qual deles vamos falar?",
            button="Ver contratos",
            section_title="Seus contratos",
            rows=tuple(rows),
        )

    # --- bill copy ----------------------------------------------------------------------------

    def no_open_invoices(self) -> str:
        """Nothing to pay."""
        return "Boa notícia: não há faturas em aberto neste contrato. 🎉"

    def invoice_document(self, invoice: OpenInvoice) -> SendDocument:
        """The bill PDF with due date and amount in the caption."""
        due = date_br(invoice.due_date)
        return SendDocument(
            link=invoice.pdf_url,
            filename=f"fatura-{due.replace('/', '-')}.pdf",
            caption=f"Fatura com vencimento em {due} – {money(invoice.amount_cents)}",
        )

    def invoice_summary(self, invoice: OpenInvoice) -> SendText:
        """Due date, amount and payment lines of one invoice."""
        lines = [
            f"📄 *Fatura com vencimento em {date_br(invoice.due_date)}*",
            f"💰 Valor: *{money(invoice.amount_cents)}*",
        ]
        if invoice.overdue:
            lines.append("⚠️ Esta fatura está vencida; o valor pode ter juros.")
        if invoice.digitable_line:
            lines.append(f"Linha digitável: {invoice.digitable_line}")
        if invoice.pix_code:
            lines.append("Para pagar com PIX, copie o código da próxima mensagem (copia e cola). 👇")
        return SendText("\n".join(lines))

    def pix_code(self, invoice: OpenInvoice) -> SendText:
        """The PIX copia-e-cola alone, so it is easy to copy."""
        return SendText(invoice.pix_code)

    def more_invoices(self, total: int, sent: int) -> str:
        """Only the oldest invoices were sent."""
        return f"Você tem {total} faturas em aberto; te enviei as {sent} mais antigas."

    # --- payment promise ----------------------------------------------------------------------

    def confirm_promise(self) -> SendButtons:
        """Ask before registering a trust unlock (it is an action in SGP)."""
        return SendButtons(
            "Posso liberar sua internet *em confiança* por alguns dias, enquanto você faz o pagamento. "
            "Quer que eu libere agora?",
            (Button(c.PROMISE_YES, "Sim, liberar"), Button(c.PROMISE_NO, "Agora não")),
        )

    def promise_granted(self, until: str, protocol: str) -> str:
        """SGP granted the unlock."""
        text = (
            f"Prontinho! ✅ Sua internet foi liberada em confiança até *{date_br(until)}*. "
            "Pague até essa data para não bloquear de novo. Pode levar alguns minutos para voltar; "
            "se não voltar, reinicie o roteador."
        )
        return f"{text}\nProtocolo: {protocol}" if protocol else text

    def promise_quota_reached(self) -> SendButtons:
        """Refused: the promise allowance of the period is used up."""
        return SendButtons(
            "Não consegui liberar: o desbloqueio em confiança já foi usado neste período. 😕 "
            "Posso te enviar a 2ª via para pagar agora.",
            (Button(c.goal_choice(Goal.BILL), "Enviar 2ª via"), AGENT_BUTTON, END_BUTTON),
        )

    def promise_not_blocked(self) -> str:
        """Refused: nothing to unlock."""
        return "Sua internet não está bloqueada, então não é preciso liberar. 🙂"

    def promise_not_eligible(self) -> SendButtons:
        """Refused: the contract's status does not allow it."""
        return SendButtons(
            "Este contrato não pode ser liberado em confiança: ele precisa estar ativo ou suspenso por "
            "falta de pagamento. Um atendente pode verificar para você.",
            (AGENT_BUTTON, MENU_BUTTON, END_BUTTON),
        )

    def promise_error(self) -> SendButtons:
        """SGP answered with an error."""
        return SendButtons(
            "Não consegui registrar a liberação agora. 😕 Um atendente pode concluir para você.",
            (AGENT_BUTTON, MENU_BUTTON, END_BUTTON),
        )

    # --- connection -----------------------------------------------------------------------------

    def outage(self, outage: OutageInfo) -> str:
        """A known outage touches the customer."""
        text = f"⚠️ Identificamos uma instabilidade na sua região: {outage.customer_message.strip()}"
        if outage.ends_at:
            text += f"\nPrevisão de normalização: {date_br(outage.ends_at)}."
        return text + "\nNossa equipe já está trabalhando nisso. Obrigado pela paciência! 🙏"

    def connection_blocked(self) -> SendButtons:
        """The connection is blocked for non-payment."""
        return SendButtons(
            "Sua conexão está *bloqueada* por pendência financeira. Posso te enviar a 2ª via ou liberar em confiança.",
            (
                Button(c.goal_choice(Goal.BILL), "Enviar 2ª via"),
                Button(c.goal_choice(Goal.PROMISE), "Liberar em confiança"),
                AGENT_BUTTON,
            ),
        )

    def connection_seen(self, online: bool | None) -> str:
        """What SGP says about the link, before the guided checks."""
        if online is True:
            return "Aqui no sistema sua conexão aparece *online*. Vamos fazer um teste rápido?"
        if online is False:
            return "Aqui no sistema sua conexão aparece *offline*. Vamos tentar resolver juntos?"
        return "Vamos tentar resolver juntos com alguns passos rápidos?"

    def guided_check(self, *, slow: bool, index: int, intro: str = "") -> SendButtons:
        """One troubleshooting step, with 'fixed' / 'not fixed' buttons."""
        steps = SLOW_CHECKS if slow else NO_CONNECTION_CHECKS
        ok, fail = ("Sim, melhorou", "Não melhorou") if slow else ("Sim, voltou", "Não voltou")
        body = steps[index]
        return SendButtons(
            f"{intro}\n\n{body}" if intro else body, (Button(c.CHECK_OK, ok), Button(c.CHECK_FAIL, fail))
        )

    def check_worked(self) -> str:
        """The customer says a check fixed it."""
        return "Que bom que resolveu! 🙌"

    def ticket_opened(self, protocol: str) -> str:
        """A support ticket was opened."""
        return (
            f"Abri um chamado para a nossa equipe técnica. 🛠️ Protocolo: *{protocol}*. "
            "Vamos te avisar por aqui sobre o andamento."
        )

    # --- technician visit ---------------------------------------------------------------------

    def confirm_visit(self) -> SendButtons:
        """Confirm or reschedule a technician visit."""
        return SendButtons(
            "Sobre a sua visita técnica: quer confirmar o agendamento ou remarcar?",
            (Button(c.VISIT_CONFIRM, "Confirmar visita"), Button(c.VISIT_RESCHEDULE, "Remarcar"), AGENT_BUTTON),
        )

    def visit_confirmed(self, protocol: str) -> str:
        """The visit is confirmed (recorded as a ticket in SGP)."""
        text = "Visita confirmada! ✅ Nosso técnico vai até você no horário combinado."
        return f"{text} Protocolo: {protocol}." if protocol else text

    # --- other intents ------------------------------------------------------------------------

    def payment_reported(self) -> SendButtons:
        """The customer says they paid."""
        return SendButtons(
            "Pagamentos por PIX costumam ser confirmados na hora; por boleto, em até 3 dias úteis. "
            "Se já passou esse prazo, um atendente pode verificar seu comprovante.",
            (AGENT_BUTTON, MENU_BUTTON, END_BUTTON),
        )

    def needs_human(self, intent: str) -> str:
        """Intents the bot does not serve (cancel, plans, moving)."""
        topic = {
            "cancelamento": "cancelamento",
            "planos": "planos e valores",
            "mudanca_endereco": "mudança de endereço",
        }.get(intent, "esse assunto")
        return f"Sobre {topic}, nossa equipe vai te atender."

    # --- SGP trouble --------------------------------------------------------------------------

    def sgp_slow(self) -> SendText:
        """The first SGP request timed out; retrying."""
        return SendText("Está demorando um pouquinho mais que o normal, só um instante… ⏳")

    def sgp_unavailable(self) -> SendButtons:
        """SGP is down: offer a retry, a human or the menu."""
        return SendButtons(
            "Nosso sistema está indisponível no momento. 😕 Quer tentar de novo ou falar com um atendente?",
            (Button(c.RETRY, "Tentar de novo"), AGENT_BUTTON, MENU_BUTTON),
        )

    def sgp_rejected(self) -> SendButtons:
        """SGP refused the request; a person must look."""
        return SendButtons(
            "Não consegui concluir essa consulta. Um atendente pode te ajudar.", (AGENT_BUTTON, MENU_BUTTON)
        )

    # --- handoff ------------------------------------------------------------------------------

    def handoff_now(self, prefix: str = "") -> SendText:
        """Agents are in: someone will answer soon."""
        text = "Vou te transferir para um atendente. Em instantes alguém continua com você por aqui. 🙋"
        return SendText(f"{prefix} {text}".strip())

    def handoff_later(self, *, schedule: str, when: str, prefix: str = "") -> SendText:
        """Outside business hours: say when agents return; the conversation is queued."""
        text = (
            f"Nosso atendimento humano funciona {schedule}. Sua conversa ficou na fila e um atendente "
            f"te responde {when}. 🕗"
        )
        return SendText(f"{prefix} {text}".strip())

    def handoff_prefix(self, reason: str) -> str:
        """A first sentence that fits why the bot hands over."""
        return {
            "negative_sentiment": "Sinto muito pelo transtorno. 😔",
            "misunderstood_twice": "Acho que não estou conseguindo te ajudar.",
            "out_of_scope": "Esse assunto eu não sei resolver.",
            "identification_failed": "Não consegui confirmar seu cadastro.",
            "customer_not_found": "Não encontrei seu cadastro.",
            "visit_reschedule": "Para remarcar, nossa equipe vê os horários livres com você.",
        }.get(reason, "")

    def agent_released(self) -> SendButtons:
        """The agent handed the conversation back to the bot."""
        return self.anything_else("Seu atendimento com a nossa equipe foi finalizado.")

    # --- closing ------------------------------------------------------------------------------

    def idle_warning(self) -> SendText:
        """The customer went quiet."""
        return SendText("Ainda está por aí? Se precisar, é só responder. 🙂")

    def idle_closed(self) -> SendText:
        """Closing for inactivity."""
        return SendText(
            f"Como não tive resposta, vou encerrar por aqui. Quando precisar, é só chamar a {self.isp_name}! 👋"
        )

    def ask_csat(self) -> SendList:
        """The 1-5 satisfaction survey."""
        return SendList(
            body="Antes de ir: como você avalia este atendimento? ⭐",
            button="Avaliar",
            section_title="Sua nota",
            rows=(
                Row(f"{c.CSAT_PREFIX}5", "5 - Excelente", "⭐⭐⭐⭐⭐"),
                Row(f"{c.CSAT_PREFIX}4", "4 - Bom", "⭐⭐⭐⭐"),
                Row(f"{c.CSAT_PREFIX}3", "3 - Regular", "⭐⭐⭐"),
                Row(f"{c.CSAT_PREFIX}2", "2 - Ruim", "⭐⭐"),
                Row(f"{c.CSAT_PREFIX}1", "1 - Muito ruim", "⭐"),
            ),
        )

    def csat_thanks(self) -> SendText:
        """After the rating."""
        return SendText(f"Obrigado pela avaliação! 💙 A {self.isp_name} agradece. Até a próxima!")

    def csat_invalid(self) -> SendList:
        """The rating was not 1-5."""
        survey = self.ask_csat()
        return SendList(
            body="É só escolher uma nota de 1 a 5. ⭐",
            button=survey.button,
            rows=survey.rows,
            section_title=survey.section_title,
        )


NO_CONNECTION_CHECKS = (
    "1️⃣ Desligue o roteador (e a ONU, se tiver) da tomada, espere 30 segundos e ligue de novo. "
    "Aguarde uns 2 minutos. A internet voltou?",
    "2️⃣ Confira se os cabos estão bem encaixados e se alguma luz *LOS* está vermelha no aparelho. "
    "Se estiver, não mexa na fibra. A internet voltou?",
)
SLOW_CHECKS = (
    "1️⃣ Reinicie o roteador: tire da tomada, espere 30 segundos e ligue de novo. Melhorou?",
    "2️⃣ Teste perto do roteador (ou pelo cabo), com menos aparelhos usando a internet ao mesmo tempo. Melhorou?",
)


def _contract_description(contract: ContractInfo) -> str:
    parts = [p for p in (contract.plan, CONTRACT_STATUS_PT.get(contract.status, ""), contract.address) if p]
    return " · ".join(parts)


def join(*parts: str) -> str:
    """Join message paragraphs, skipping empty ones."""
    return "\n\n".join(p for p in parts if p)


def with_intro(message: Send, intro: str) -> Send:
    """Prefix a paragraph to a message's body (documents keep their caption)."""
    if not intro:
        return message
    match message:
        case SendText(body=body):
            return SendText(join(intro, body))
        case SendButtons(body=body, buttons=buttons):
            return SendButtons(join(intro, body), buttons)
        case SendList(body=body, button=button, rows=rows, section_title=title):
            return SendList(join(intro, body), button, rows, title)
    return message

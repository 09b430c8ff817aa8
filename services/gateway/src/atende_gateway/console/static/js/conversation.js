// One conversation: transcript (ticks, media, intent and sentiment with a correction), the agent's
// actions (assumir, responder, nota, modelo, anexo, devolver ao bot, encerrar, reatribuir), the
// customer panel with its SGP actions, and the customer's history.

import * as api from "./api.js";
import { claimedHere } from "./alerts.js";
import { clock, dateTime, debounce, duration, h, money, replace, toast } from "./dom.js";
import {
  atLeast,
  AUTHORS,
  CLOSE_REASONS,
  CONNECTION,
  INTENTS,
  intentName,
  SENTIMENTS,
  STATES,
  TICKET_KINDS,
  TICKS,
} from "./labels.js";

const conversationPath = (id, tail = "") => `/operator/conversations/${api.cid(id)}${tail}`;
const handoffPath = (id, tail) => `/operator/handoffs/${api.cid(id)}${tail}`;

export class Conversation {
  constructor(me, { onChanged }) {
    this.me = me;
    this.onChanged = onChanged;
    this.id = null;
    this.detail = null;
    this.composerKey = "";
    this.reload = debounce(() => this.load(), 200);
    loadAgentNames().then(() => { if (this.detail) this.renderHeader(); });
    this.el = h("section", { class: "pane detail", "aria-label": "Conversa" });
    this.placeholder();
  }

  get actor() {
    return atLeast(this.me.role, "agent");
  }

  get overseer() {
    return atLeast(this.me.role, "supervisor");
  }

  get mine() {
    const d = this.detail;
    return Boolean(d && d.state === "claimed" && d.agent_id === this.me.id);
  }

  placeholder() {
    this.id = null;
    this.detail = null;
    this.composerKey = "";
    replace(this.el, h("p", { class: "empty center", text: "Selecione uma conversa na lista." }));
  }

  async open(id) {
    if (id === this.id) return;
    if (!id) return this.placeholder();
    this.id = id;
    this.composerKey = "";
    this.rendered = null;
    this.scrolled = false;
    this.header = h("div", { class: "conv-head" });
    this.transcript = h("ol", { class: "transcript", "aria-label": "Mensagens", tabindex: "0" });
    this.composer = h("div", { class: "composer" });
    this.side = h("aside", { class: "side", "aria-label": "Dados do cliente" });
    this.historyBox = h("section", { class: "history", "aria-labelledby": "history-title", hidden: true });
    replace(
      this.el,
      this.header,
      h("div", { class: "conv-body" }, h("div", { class: "conv-main" }, this.transcript, this.composer), this.side),
      this.historyBox,
    );
    await this.load();
    this.loadPanel();
  }

  changed(kind, data) {
    if (this.id && data && data.conversation_id === this.id) this.reload();
  }

  async load() {
    if (!this.id) return;
    const id = this.id;
    let detail;
    try {
      detail = await api.get(conversationPath(id));
    } catch (error) {
      if (id !== this.id) return;
      replace(this.el, h("p", { class: "error center", role: "alert", text: error.status === 404 ? "Conversa não encontrada." : "Não foi possível abrir a conversa." }));
      return;
    }
    if (id !== this.id) return;
    const stateChanged = this.detail && this.detail.state !== detail.state;
    this.detail = detail;
    this.renderHeader();
    this.renderTranscript();
    this.renderComposer();
    if (stateChanged) this.loadPanel();
  }

  // --- header and actions ----------------------------------------------------------------------

  renderHeader() {
    const d = this.detail;
    const buttons = [];
    buttons.push(h("button", { type: "button", class: "secondary", onclick: () => this.showHistory(), text: "Histórico do cliente" }));
    if (this.actor && d.state === "queued") buttons.push(h("button", { type: "button", id: "claim", onclick: () => this.claim(), text: "Assumir" }));
    if (d.state === "claimed" && (this.mine || this.overseer)) {
      buttons.push(h("button", { type: "button", id: "release", class: "secondary", onclick: () => this.release(), text: "Devolver ao bot" }));
    }
    if (api.has("POST", "/operator/conversations/{conversation_id}/actions") && d.state !== "closed" && (this.mine || (this.overseer && d.state === "claimed"))) {
      buttons.push(this.closeControl());
    }
    if (this.overseer && d.state === "claimed") buttons.push(this.reassignControl());
    const who = d.state === "claimed" ? (d.agent_id === this.me.id ? "com você" : `com ${agentName(d.agent_id)}`) : STATES[d.state];
    replace(
      this.header,
      h("a", { href: "#/inbox", class: "back", text: "← Conversas" }),
      h(
        "div",
        { class: "who" },
        h("h2", { id: "conversation-title", text: d.customer_name || "Cliente" }),
        h(
          "p",
          { class: "meta" },
          h("span", { text: d.phone_masked }),
          d.document_masked && h("span", { text: `CPF ${d.document_masked}` }),
          h("span", { class: ["badge", `state-${d.state}`], id: "conversation-state", text: who }),
          d.wait_seconds !== null && d.wait_seconds !== undefined && h("span", { class: ["badge", d.sla && `sla-${d.sla}`], text: `espera ${duration(d.wait_seconds)}` }),
          !d.within_business_hours && h("span", { class: "badge off-hours", text: "fora do horário" }),
        ),
      ),
      h("div", { class: "actions" }, buttons),
    );
    this.el.setAttribute("aria-labelledby", "conversation-title");
  }

  closeControl() {
    const reason = h("select", { id: "close-reason", "aria-label": "Motivo do encerramento" }, Object.entries(CLOSE_REASONS).map(([value, label]) => h("option", { value, text: label })));
    return h(
      "form",
      { class: "inline", onsubmit: (e) => { e.preventDefault(); this.action({ action: "close", reason: reason.value }, "Conversa encerrada."); } },
      reason,
      h("button", { type: "submit", class: "danger", id: "close", text: "Encerrar" }),
    );
  }

  reassignControl() {
    const target = h("select", { id: "reassign-agent", "aria-label": "Reatribuir para" }, h("option", { value: "", text: "Reatribuir a…" }));
    // Agents online when the gateway tracks presence; otherwise the users auth lists (admins).
    const agents = api.has("GET", "/operator/agents")
      ? api.get("/operator/agents").then((a) => a.items.map((x) => [x.user_id, `${x.username || x.user_id} (${x.status === "available" ? "disponível" : "ausente"})`]))
      : api.get("/auth/users").then((u) => u.items.filter((x) => x.active && x.role !== "viewer").map((x) => [x.id, `${x.name} (${x.username})`]));
    agents.then((options) => {
      for (const [value, label] of options) if (value !== this.detail.agent_id) target.append(h("option", { value, text: label }));
    }).catch(() => {});
    return h(
      "form",
      { class: "inline", onsubmit: (e) => { e.preventDefault(); if (target.value) this.reassign(target.value); } },
      target,
      h("button", { type: "submit", class: "secondary", text: "Reatribuir" }),
    );
  }

  async run(promise, done) {
    try {
      const answer = await promise;
      if (done) toast(done);
      this.reload();
      this.onChanged();
      return answer;
    } catch (error) {
      toast(problem(error), "error");
      return null;
    }
  }

  claim() {
    claimedHere.add(this.id);
    return this.run(api.post(handoffPath(this.id, "/claim")), "Conversa assumida.");
  }

  release() {
    return this.run(api.post(handoffPath(this.id, "/release")), "Conversa devolvida ao bot.");
  }

  reassign(agentId) {
    return this.run(api.post(handoffPath(this.id, "/reassign"), { agent_id: agentId }), "Conversa reatribuída.");
  }

  async action(body, done) {
    try {
      await api.post(conversationPath(this.id, "/actions"), body, api.idempotent());
      toast(done);
      this.reload();
      this.onChanged();
    } catch (error) {
      if (error.status === 404 && !/conversation|inbox/i.test(error.detail || "")) api.forget("POST", "/operator/conversations/{conversation_id}/actions");
      toast(problem(error), "error");
    }
  }

  // --- transcript --------------------------------------------------------------------------------

  renderTranscript() {
    // Turns are re-built only when they changed, so an open correction form survives live updates.
    const box = this.transcript;
    const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 40;
    const previous = this.rendered || new Map();
    const rendered = new Map();
    const items = this.detail.turns.map((turn) => {
      const key = JSON.stringify(turn);
      const old = previous.get(turn.id);
      if (old && old.key === key) {
        rendered.set(turn.id, old);
        return old.el;
      }
      const el = this.turn(turn);
      const wasOpen = old && old.el.querySelector("details.correct[open]");
      if (wasOpen && el.querySelector("details.correct")) el.querySelector("details.correct").open = true;
      rendered.set(turn.id, { key, el });
      return el;
    });
    this.rendered = rendered;
    replace(box, items.length ? items : h("li", { class: "empty", text: "Sem mensagens ainda." }));
    if (atBottom || !this.scrolled) {
      box.scrollTop = box.scrollHeight;
      this.scrolled = true;
    }
  }

  turn(turn) {
    const author = turn.role === "agent" ? `Agente ${turn.agent_id === this.me.id ? "(você)" : agentName(turn.agent_id)}` : AUTHORS[turn.role];
    return h(
      "li",
      { class: ["turn", `turn-${turn.role}`], dataset: { turn: turn.id, role: turn.role } },
      h("p", { class: "turn-meta" }, h("span", { class: "author", text: author }), " ", h("time", { text: clock(turn.at), datetime: new Date(turn.at * 1000).toISOString() })),
      turn.text && h("p", { class: "text", text: turn.text }),
      turn.media && media(turn.media),
      (turn.role === "agent" || turn.role === "bot") && turn.status && tick(turn),
      turn.role === "customer" && this.reading(turn),
    );
  }

  reading(turn) {
    const shown = turn.corrected_intent || turn.intent;
    const parts = [];
    if (shown) parts.push(h("span", { class: "badge", text: intentName(shown) }));
    if (turn.corrected_intent) parts.push(h("small", { text: `corrigida${turn.corrected_by ? ` por ${turn.corrected_by}` : ""}` }));
    else if (turn.confidence !== null && turn.confidence !== undefined) parts.push(h("small", { text: `${Math.round(turn.confidence * 100)}%` }));
    if (turn.sentiment) parts.push(h("span", { class: ["badge", `sentiment-${turn.sentiment}`], text: SENTIMENTS[turn.sentiment] || turn.sentiment }));
    if (this.actor) parts.push(this.correction(turn));
    return h("div", { class: "reading" }, parts);
  }

  correction(turn) {
    const id = `fix-${turn.id}`.replace(/[^A-Za-z0-9_-]/g, "_");
    const select = h(
      "select",
      { id, class: "fix-intent" },
      api.intentLabels(Object.keys(INTENTS)).map((value) => h("option", { value, text: intentName(value), selected: value === (turn.corrected_intent || turn.intent) })),
    );
    return h(
      "details",
      { class: "correct" },
      h("summary", { text: "corrigir intenção" }),
      h(
        "form",
        { class: "inline", onsubmit: (e) => { e.preventDefault(); this.correct(turn.id, select.value); } },
        h("label", { for: id, class: "sr-only", text: "Intenção correta" }),
        select,
        h("button", { type: "submit", class: "secondary", text: "Salvar" }),
      ),
    );
  }

  correct(turnId, intent) {
    return this.run(api.post(conversationPath(this.id, "/corrections"), { turn_id: turnId, intent }, api.idempotent()), "Correção enviada ao NLU.");
  }

  // --- composer --------------------------------------------------------------------------------

  renderComposer() {
    const d = this.detail;
    const canTemplate = api.has("POST", "/operator/conversations/{conversation_id}/template");
    const key = [this.actor, this.mine, d.window_open, d.state === "closed"].join("|");
    if (key === this.composerKey) return;
    this.composerKey = key;
    if (!this.actor) {
      replace(this.composer, h("p", { class: "hint", text: "Você está como observador: pode acompanhar, mas não responder." }));
      return;
    }
    const parts = [];
    if (this.mine && d.window_open) parts.push(this.replyForm());
    else if (this.mine && canTemplate) parts.push(this.templateForm());
    else if (this.mine) parts.push(h("p", { class: "hint", text: "A janela de 24 h do WhatsApp está fechada: só é possível enviar um modelo aprovado." }));
    else if (d.state === "queued") parts.push(h("p", { class: "hint", text: "Assuma a conversa para responder ao cliente." }));
    parts.push(this.noteForm());
    replace(this.composer, parts);
  }

  replyForm() {
    const text = h("textarea", { id: "reply-text", name: "text", rows: "3", maxlength: "4096", required: true });
    const tools = [];
    if (api.has("GET", "/operator/canned-answers")) tools.push(this.cannedPicker(text));
    let file = null;
    if (api.has("POST", "/operator/conversations/{conversation_id}/attachments")) {
      file = h("input", { id: "reply-file", type: "file", accept: "application/pdf,image/jpeg,image/png" });
      tools.push(h("div", { class: "field" }, h("label", { for: "reply-file", text: "Anexar PDF ou imagem" }), file));
    }
    const form = h(
      "form",
      { class: "reply", "aria-label": "Responder ao cliente", onsubmit: (e) => { e.preventDefault(); this.reply(text, file); } },
      h("label", { for: "reply-text", text: "Resposta ao cliente" }),
      text,
      h("div", { class: "tools" }, tools, h("button", { type: "submit", id: "send-reply", text: "Enviar" })),
    );
    text.addEventListener("keydown", (e) => { if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) form.requestSubmit(); });
    return form;
  }

  cannedPicker(text) {
    const select = h("select", { id: "canned", onchange: () => {
      const answer = this.canned && this.canned.find((c) => c.id === select.value);
      if (answer) {
        text.value = fill(answer.text, this.detail, this.me);
        text.focus();
      }
      select.value = "";
    } }, h("option", { value: "", text: "Respostas prontas…" }));
    api.get("/operator/canned-answers").then((answers) => {
      this.canned = answers.items;
      for (const answer of answers.items) select.append(h("option", { value: answer.id, text: answer.title }));
    }).catch(() => { select.disabled = true; });
    return h("div", { class: "field" }, h("label", { for: "canned", class: "sr-only", text: "Respostas prontas" }), select);
  }

  async reply(text, file) {
    const body = text.value.trim();
    if (file && file.files.length) {
      const form = new FormData();
      form.append("file", file.files[0]);
      if (body) form.append("caption", body);
      const sent = await this.run(api.post(conversationPath(this.id, "/attachments"), form, api.idempotent()), "Anexo enviado.");
      if (sent) { text.value = ""; file.value = ""; }
      return;
    }
    if (!body) return;
    const sent = await this.run(api.post(handoffPath(this.id, "/reply"), { text: body }, api.idempotent()));
    if (sent) text.value = "";
  }

  templateForm() {
    const select = h("select", { id: "template", required: true }, h("option", { value: "", text: "Escolha um modelo…" }));
    const params = h("div", { class: "params" });
    const preview = h("p", { class: "preview", "aria-live": "polite" });
    let templates = [];
    const update = () => {
      const t = templates.find((x) => `${x.name}|${x.language}` === select.value);
      replace(params, t ? Array.from({ length: t.parameters }, (_, i) => h("div", { class: "field" }, h("label", { for: `param-${i}`, text: `Parâmetro {{${i + 1}}}` }), h("input", { id: `param-${i}`, required: true, oninput: render }))) : []);
      render();
    };
    const render = () => {
      const t = templates.find((x) => `${x.name}|${x.language}` === select.value);
      preview.textContent = t ? t.body.replace(/\{\{(\d+)\}\}/g, (_, n) => (params.querySelector(`#param-${n - 1}`) || {}).value || `{{${n}}}`) : "";
    };
    select.addEventListener("change", update);
    api.get("/operator/templates").then((answer) => {
      templates = answer.items;
      for (const t of templates) select.append(h("option", { value: `${t.name}|${t.language}`, text: `${t.name} (${t.language})` }));
    }).catch(() => { select.disabled = true; });
    return h(
      "form",
      { class: "reply", "aria-label": "Enviar modelo", onsubmit: async (e) => {
        e.preventDefault();
        const [name, language] = select.value.split("|");
        const values = [...params.querySelectorAll("input")].map((i) => i.value);
        await this.run(api.post(conversationPath(this.id, "/template"), { name, language, parameters: values }, api.idempotent()), "Modelo enviado.");
      } },
      h("p", { class: "hint", text: "A janela de 24 h do WhatsApp está fechada: envie um modelo aprovado." }),
      h("label", { for: "template", text: "Modelo" }),
      select,
      params,
      preview,
      h("button", { type: "submit", id: "send-template", text: "Enviar modelo" }),
    );
  }

  noteForm() {
    const text = h("textarea", { id: "note-text", rows: "2", maxlength: "2000", required: true });
    return h(
      "form",
      { class: "note", "aria-label": "Nota interna", onsubmit: async (e) => {
        e.preventDefault();
        const body = text.value.trim();
        if (!body) return;
        const saved = await this.run(api.post(conversationPath(this.id, "/notes"), { text: body }), "Nota salva (o cliente não vê).");
        if (saved) text.value = "";
      } },
      h("label", { for: "note-text", text: "Nota interna (o cliente não vê)" }),
      text,
      h("div", { class: "tools" }, h("button", { type: "submit", class: "secondary", id: "save-note", text: "Salvar nota" })),
    );
  }

  // --- customer panel and history ---------------------------------------------------------------

  async loadPanel() {
    const route = "/operator/conversations/{conversation_id}/panel";
    if (!api.has("GET", route)) {
      replace(this.side, h("h3", { text: "Cliente" }), this.summaryList());
      return;
    }
    const id = this.id;
    replace(this.side, h("h3", { text: "Cliente" }), h("p", { class: "hint", text: "Consultando o SGP…" }));
    let panel;
    try {
      panel = await api.get(conversationPath(id, "/panel"));
    } catch (error) {
      if (id !== this.id) return;
      const text = error.status === 409 ? "Cliente ainda não identificado (sem CPF)." : error.status === 503 || error.status === 504 ? "O SGP não respondeu. Tente de novo." : "Não foi possível consultar o cliente.";
      replace(this.side, h("h3", { text: "Cliente" }), this.summaryList(), h("p", { class: "hint", role: "status", text }), h("button", { type: "button", class: "secondary", onclick: () => this.loadPanel(), text: "Tentar de novo" }));
      return;
    }
    if (id !== this.id) return;
    const canAct = api.has("POST", "/operator/conversations/{conversation_id}/actions") && (this.mine || this.overseer) && this.detail.state !== "closed";
    replace(
      this.side,
      h("h3", { text: panel.customer_name || "Cliente" }),
      h("p", { class: "meta", text: panel.document_masked ? `CPF ${panel.document_masked}` : "" }),
      panel.contracts.map((contract) => this.contractCard(contract, canAct)),
      h("p", { class: "hint", text: `Atualizado às ${clock(panel.fetched_at)}` }),
    );
  }

  summaryList() {
    const d = this.detail;
    return h(
      "dl",
      { class: "facts" },
      h("dt", { text: "Telefone" }), h("dd", { text: d.phone_masked }),
      h("dt", { text: "CPF" }), h("dd", { text: d.document_masked || "não informado" }),
      d.contracts.length > 0 && [h("dt", { text: "Contratos" }), h("dd", { text: d.contracts.map((c) => `${c.contract_id} · ${c.plan}`).join(", ") })],
    );
  }

  contractCard(contract, canAct) {
    const bills = contract.open_bills || [];
    const actions = [];
    if (canAct) {
      actions.push(h("button", { type: "button", class: "secondary", onclick: () => this.action({ action: "send_bill", contract_id: contract.contract_id }, "Pedido de segunda via enviado."), text: "Enviar boleto" }));
      if (contract.promise_eligible) actions.push(h("button", { type: "button", class: "secondary", onclick: () => this.action({ action: "register_promise", contract_id: contract.contract_id }, "Pedido de promessa de pagamento enviado."), text: "Registrar promessa" }));
      const kind = h("select", { id: `ticket-kind-${contract.contract_id}`, "aria-label": "Tipo do chamado" }, Object.entries(TICKET_KINDS).map(([value, label]) => h("option", { value, text: label })));
      const description = h("input", { id: `ticket-text-${contract.contract_id}`, "aria-label": "Descrição do chamado", maxlength: "500", placeholder: "Descrição" });
      actions.push(h(
        "form",
        { class: "inline", onsubmit: (e) => { e.preventDefault(); this.action({ action: "open_ticket", contract_id: contract.contract_id, kind: kind.value, description: description.value.trim() || undefined }, "Pedido de chamado enviado."); } },
        kind,
        description,
        h("button", { type: "submit", class: "secondary", text: "Abrir chamado" }),
      ));
    }
    return h(
      "section",
      { class: "contract card", "aria-label": `Contrato ${contract.contract_id}` },
      h("h4", { text: `Contrato ${contract.contract_id}` }),
      h(
        "dl",
        { class: "facts" },
        h("dt", { text: "Plano" }), h("dd", { text: contract.plan }),
        h("dt", { text: "Situação" }), h("dd", { text: contract.status }),
        h("dt", { text: "Conexão" }), h("dd", {}, h("span", { class: ["badge", `connection-${contract.connection}`], text: CONNECTION[contract.connection] || contract.connection })),
        h("dt", { text: "Promessa" }), h("dd", { text: contract.promise_eligible ? "pode registrar" : contract.promise_reason || "não disponível" }),
      ),
      h("h5", { text: bills.length ? "Faturas em aberto" : "Nenhuma fatura em aberto" }),
      bills.length > 0 && h("ul", { class: "bills" }, bills.map((bill) => h("li", { class: bill.overdue && "overdue" }, `${money(bill.amount)} · vence ${bill.due_date}`, bill.overdue && h("strong", { text: " (vencida)" })))),
      actions.length > 0 && h("div", { class: "actions" }, actions),
    );
  }

  async showHistory() {
    const box = this.historyBox;
    box.hidden = false;
    replace(box, h("h3", { id: "history-title", text: "Histórico do cliente" }), h("p", { class: "hint", text: "Carregando…" }));
    let history;
    try {
      history = await api.get(conversationPath(this.id, "/history"));
    } catch {
      replace(box, h("h3", { id: "history-title", text: "Histórico do cliente" }), h("p", { class: "error", text: "Não foi possível carregar o histórico." }));
      return;
    }
    replace(
      box,
      h("div", { class: "pane-head" }, h("h3", { id: "history-title", text: "Histórico do cliente" }), h("button", { type: "button", class: "secondary", onclick: () => { box.hidden = true; }, text: "Fechar" })),
      h("h4", { text: "Atendimentos anteriores" }),
      history.sessions.length
        ? h("ul", {}, history.sessions.map((s) => h("li", {}, `${dateTime(s.started_at)} · ${s.outcome} · ${s.intents.map(intentName).join(", ")}`, s.csat ? ` · nota ${s.csat}` : "")))
        : h("p", { class: "hint", text: "Nenhum." }),
      h("h4", { text: "Chamados" }),
      history.tickets.length
        ? h("ul", {}, history.tickets.map((t) => h("li", {}, `Protocolo ${t.ticket_id} · ${TICKET_KINDS[t.kind] || t.kind} · ${dateTime(t.opened_at)}`)))
        : h("p", { class: "hint", text: "Nenhum." }),
      h("h4", { text: "Outras conversas" }),
      history.others.length
        ? h("ul", {}, history.others.map((o) => h("li", {}, h("a", { href: `#/c/${encodeURIComponent(o.conversation_id)}`, text: `${o.customer_name} · ${o.phone_masked} · ${dateTime(o.last_activity_at)}` }))))
        : h("p", { class: "hint", text: "Nenhuma." }),
    );
    box.scrollIntoView({ block: "nearest" });
  }
}

// Agents' names by user id, for supervisors and admins: auth's users, and the presence route's list
// (agents online); an agent sees the ids.
const agentNames = new Map();

async function loadAgentNames() {
  if (!atLeast(api.user().role, "supervisor")) return;
  try {
    if (api.has("GET", "/operator/agents")) {
      for (const a of (await api.get("/operator/agents")).items) if (a.username) agentNames.set(a.user_id, a.username);
    }
    for (const u of (await api.get("/auth/users")).items) agentNames.set(u.id, u.name || u.username);
  } catch {
    // Names are a nicety: ids remain.
  }
}

function agentName(id) {
  return agentNames.get(id) || id || "";
}

function media(item) {
  const label = item.filename || item.mime_type;
  if (item.link) return h("p", { class: "media" }, h("a", { href: item.link, target: "_blank", rel: "noopener noreferrer", text: `📄 ${label}` }));
  return h("p", { class: "media", text: `📎 ${label}` });
}

function tick(turn) {
  const [label, mark] = TICKS[turn.status] || [turn.status, ""];
  return h(
    "p",
    { class: ["tick", `tick-${turn.status}`], title: turn.error || label },
    h("span", { "aria-hidden": "true", text: mark }),
    " ",
    h("span", { class: "tick-label", text: label }),
    turn.error && h("span", { text: ` — ${turn.error}` }),
  );
}

function fill(text, detail, me) {
  const first = (detail.customer_name || "").split(" ")[0] || "cliente";
  return text.replaceAll("{nome}", first).replaceAll("{atendente}", me.name || me.username);
}

function problem(error) {
  const known = {
    403: "Seu perfil não permite esta ação.",
    409: "Outro agente está com esta conversa, ou é preciso assumi-la antes.",
    429: "Muitas ações seguidas. Aguarde um pouco.",
  };
  return known[error.status] || error.detail || "Não foi possível concluir a ação.";
}

// The inbox: tabs by state, filters, search by masked phone or CPF, live updates, wait time and SLA.

import * as api from "./api.js";
import { clock, debounce, duration, h, replace } from "./dom.js";
import { INTENTS, intentName, SENTIMENTS, SLA, STATES, VIEWS } from "./labels.js";

const PAGE = 50;

export class Inbox {
  constructor(me) {
    this.me = me;
    this.view = "queued";
    this.items = [];
    this.cursor = null;
    this.selected = null;
    this.reload = debounce(() => this.load(), 250);
    this.el = h("section", { class: "pane inbox", "aria-labelledby": "inbox-title" });
    this.build();
    this.load();
    // Wait times tick every second; the list itself reloads on changes and every 30 s.
    setInterval(() => this.tick(), 1000);
    setInterval(() => this.load(), 30000);
  }

  build() {
    this.status = h("span", { class: "live", role: "status", text: "conectando…" });
    this.tabs = h(
      "div",
      { class: "tabs", role: "tablist", "aria-label": "Estado das conversas" },
      VIEWS.map(([view, label]) =>
        h(
          "button",
          {
            type: "button",
            role: "tab",
            id: `tab-${view}`,
            "aria-controls": "conversation-list",
            dataset: { view },
            onclick: () => this.switchTo(view),
            onkeydown: (event) => this.arrow(event),
          },
          label,
          " ",
          h("span", { class: "count", dataset: { count: view } }),
        ),
      ),
    );
    const intent = h(
      "select",
      { id: "filter-intent", name: "intent" },
      h("option", { value: "", text: "Todas" }),
      Object.entries(INTENTS).map(([value, label]) => h("option", { value, text: label })),
    );
    const sentiment = h(
      "select",
      { id: "filter-sentiment", name: "sentiment" },
      h("option", { value: "", text: "Todos" }),
      Object.entries(SENTIMENTS).map(([value, label]) => h("option", { value, text: label })),
    );
    const wait = h(
      "select",
      { id: "filter-wait", name: "min_wait_s" },
      h("option", { value: "", text: "Qualquer" }),
      [[60, "1 min ou mais"], [300, "5 min ou mais"], [900, "15 min ou mais"]].map(([value, label]) => h("option", { value, text: label })),
    );
    const offHours = h("input", { id: "filter-off-hours", name: "off_hours", type: "checkbox" });
    const search = h("input", { id: "filter-q", name: "q", type: "search", placeholder: "Telefone (4+ dígitos) ou CPF", maxlength: "40" });
    this.filters = h(
      "form",
      { class: "filters", role: "search", "aria-label": "Filtrar conversas", onsubmit: (e) => { e.preventDefault(); this.load(); }, onchange: () => this.load() },
      h("div", { class: "field grow" }, h("label", { for: "filter-q", text: "Buscar" }), search),
      // On a phone the filters fold away behind a summary; on a laptop they start open.
      h(
        "details",
        { class: "more-filters", open: !window.matchMedia("(max-width: 900px)").matches },
        h("summary", { text: "Filtros" }),
        h(
          "div",
          { class: "filter-fields" },
          h("div", { class: "field" }, h("label", { for: "filter-intent", text: "Intenção" }), intent),
          h("div", { class: "field" }, h("label", { for: "filter-sentiment", text: "Sentimento" }), sentiment),
          h("div", { class: "field" }, h("label", { for: "filter-wait", text: "Tempo de espera" }), wait),
          h("div", { class: "field check" }, offHours, h("label", { for: "filter-off-hours", text: "Fora do horário" })),
        ),
      ),
      h("button", { type: "submit", class: "secondary", text: "Buscar" }),
    );
    this.message = h("p", { class: "empty", role: "status" });
    this.more = h("button", { type: "button", class: "secondary more", hidden: true, onclick: () => this.load(true), text: "Carregar mais" });
    this.list = h("ul", { class: "conversations", "aria-label": "Conversas" });
    this.panel = h("div", { id: "conversation-list", role: "tabpanel", "aria-labelledby": "tab-queued" }, this.message, this.list, this.more);
    replace(
      this.el,
      h("div", { class: "pane-head" }, h("h1", { id: "inbox-title", text: "Atendimentos" }), this.status),
      this.tabs,
      this.filters,
      this.panel,
    );
    this.markTabs();
  }

  arrow(event) {
    const keys = { ArrowRight: 1, ArrowLeft: -1 };
    if (!(event.key in keys)) return;
    const views = VIEWS.map(([view]) => view);
    const next = views[(views.indexOf(this.view) + keys[event.key] + views.length) % views.length];
    this.switchTo(next);
    this.tabs.querySelector(`[data-view="${next}"]`).focus();
  }

  switchTo(view) {
    this.view = view;
    this.markTabs();
    this.load();
  }

  markTabs() {
    for (const tab of this.tabs.querySelectorAll("[role=tab]")) {
      const active = tab.dataset.view === this.view;
      tab.setAttribute("aria-selected", String(active));
      tab.tabIndex = active ? 0 : -1;
    }
    if (this.panel) this.panel.setAttribute("aria-labelledby", `tab-${this.view}`);
  }

  query(more) {
    const params = new URLSearchParams({ view: this.view, limit: String(PAGE) });
    const data = new FormData(this.filters);
    for (const name of ["intent", "sentiment", "min_wait_s", "q"]) {
      const value = String(data.get(name) || "").trim();
      if (value) params.set(name, value);
    }
    if (data.get("off_hours")) params.set("off_hours", "true");
    if (more && this.cursor) params.set("cursor", this.cursor);
    return params;
  }

  async load(more = false) {
    let page;
    try {
      page = await api.get(`/operator/conversations?${this.query(more)}`);
    } catch (error) {
      this.message.textContent = error.status === 422 ? "Busque por um CPF válido ou por 4 ou mais dígitos do telefone." : "Não foi possível carregar as conversas.";
      if (!more) replace(this.list);
      return;
    }
    this.items = more ? [...this.items, ...page.items] : page.items;
    this.cursor = page.next_cursor;
    this.more.hidden = !page.next_cursor;
    for (const [view, count] of Object.entries(page.counts || {})) {
      const badge = this.tabs.querySelector(`[data-count="${view}"]`);
      if (badge) badge.textContent = `(${count})`;
    }
    this.message.textContent = this.items.length ? "" : "Nenhuma conversa aqui.";
    replace(this.list, this.items.map((item) => this.row(item)));
  }

  row(item) {
    const href = `#/c/${encodeURIComponent(item.conversation_id)}`;
    const wait = h("span", { class: ["wait", item.sla && `sla-${item.sla}`], dataset: { waiting: item.state === "queued" ? item.waiting_since || "" : "", sla: item.sla || "" } });
    wait.textContent = waitText(item);
    return h(
      "li",
      { class: ["conversation", item.conversation_id === this.selected && "selected"], dataset: { id: item.conversation_id } },
      h(
        "a",
        { href, "aria-current": item.conversation_id === this.selected ? "true" : undefined },
        h(
          "span",
          { class: "line" },
          h("strong", { class: "name", text: item.customer_name || "Cliente" }),
          h("span", { class: "phone", text: item.phone_masked }),
          h("time", { class: "at", text: clock(item.last_activity_at) }),
        ),
        h("span", { class: "last", text: item.last_message }),
        h(
          "span",
          { class: "line tags" },
          h("span", { class: ["badge", `state-${item.state}`], text: STATES[item.state] }),
          item.last_intent && h("span", { class: "badge", text: intentName(item.last_intent) }),
          item.last_sentiment && h("span", { class: ["badge", `sentiment-${item.last_sentiment}`], text: SENTIMENTS[item.last_sentiment] }),
          !item.within_business_hours && h("span", { class: "badge off-hours", text: "fora do horário" }),
          item.sla && wait,
        ),
      ),
    );
  }

  tick() {
    const now = Date.now() / 1000;
    for (const el of this.list.querySelectorAll(".wait[data-waiting]")) {
      const since = Number(el.dataset.waiting);
      if (since) el.textContent = waitText({ wait_seconds: now - since, sla: el.dataset.sla });
    }
  }

  select(id) {
    this.selected = id;
    for (const li of this.list.querySelectorAll("li.conversation")) {
      const on = li.dataset.id === id;
      li.classList.toggle("selected", on);
      const link = li.querySelector("a");
      if (on) link.setAttribute("aria-current", "true");
      else link.removeAttribute("aria-current");
    }
  }

  changed() {
    this.reload();
  }

  online(connected) {
    this.status.textContent = connected ? "ao vivo" : "reconectando…";
    this.status.classList.toggle("offline", !connected);
  }
}

function waitText(item) {
  if (item.wait_seconds === null || item.wait_seconds === undefined) return "";
  const label = `espera ${duration(item.wait_seconds)}`;
  return item.sla && item.sla !== "ok" ? `${label} · ${SLA[item.sla]}` : label;
}

// The day's numbers (GET /operator/metrics) and messages per hour as an SVG bar chart.

import * as api from "./api.js";
import { duration, h, replace } from "./dom.js";
import { intentName } from "./labels.js";

const percent = (value) => (value === null || value === undefined ? "—" : `${Math.round(value * 100)}%`);

export async function renderMetrics(main) {
  const day = h("input", { id: "metrics-day", type: "date", name: "day" });
  const body = h("div", { class: "metrics-body", "aria-live": "polite" });
  const form = h(
    "form",
    { class: "inline", onsubmit: (e) => { e.preventDefault(); load(); } },
    h("label", { for: "metrics-day", text: "Dia" }),
    day,
    h("button", { type: "submit", class: "secondary", text: "Ver" }),
  );
  replace(main, h("section", { class: "page metrics", "aria-labelledby": "metrics-title" }, h("div", { class: "pane-head" }, h("h1", { id: "metrics-title", text: "Métricas" }), form), body));

  async function load() {
    if (!api.has("GET", "/operator/metrics")) {
      replace(body, h("p", { class: "hint", text: "As métricas ainda não estão disponíveis neste servidor." }));
      return;
    }
    replace(body, h("p", { class: "hint", text: "Carregando…" }));
    let m;
    try {
      m = await api.get(`/operator/metrics${day.value ? `?day=${day.value}` : ""}`);
    } catch (error) {
      if (error.status === 404) api.forget("GET", "/operator/metrics");
      replace(body, h("p", { class: "error", role: "alert", text: "Não foi possível carregar as métricas." }));
      return;
    }
    if (!day.value) day.value = m.day;
    replace(
      body,
      h(
        "dl",
        { class: "numbers" },
        number("Conversas", m.conversations, "conversations"),
        number("Resolvidas pelo bot", m.solved_by_bot, "solved_by_bot"),
        number("Resolvidas por agentes", m.solved_by_agents, "solved_by_agents"),
        number("Taxa de transferência", percent(m.handoff_rate), "handoff_rate"),
        number("1ª resposta (mediana)", m.median_first_response_s === null ? "—" : duration(m.median_first_response_s), "median_first_response_s"),
        number("Resolução (mediana)", m.median_resolution_s === null ? "—" : duration(m.median_resolution_s), "median_resolution_s"),
        number("Satisfação (CSAT)", m.csat_average === null ? "—" : `${m.csat_average.toFixed(1)} (${m.csat_responses})`, "csat_average"),
        number("Cache do SGP", percent(m.sgp_cache_hit_rate), "sgp_cache_hit_rate"),
      ),
      h("h2", { text: "Mensagens por hora" }),
      chart(m.messages_per_hour || []),
      h("h2", { text: "Intenções mais frequentes" }),
      m.top_intents.length
        ? h("table", { class: "table" }, h("thead", {}, h("tr", {}, h("th", { scope: "col", text: "Intenção" }), h("th", { scope: "col", text: "Conversas" }))), h("tbody", {}, m.top_intents.map((t) => h("tr", {}, h("td", { text: intentName(t.intent) }), h("td", { text: t.count })))))
        : h("p", { class: "hint", text: "Nenhuma ainda." }),
    );
  }

  await load();
}

function number(label, value, key) {
  return h("div", { class: "number card", dataset: { metric: key } }, h("dt", { text: label }), h("dd", { text: value }));
}

function chart(hours) {
  const width = 24 * 20;
  const height = 160;
  const top = Math.max(1, ...hours);
  const total = hours.reduce((a, b) => a + b, 0);
  const svg = h("svg:svg", { viewBox: `0 0 ${width} ${height + 20}`, class: "chart", role: "img", "aria-labelledby": "chart-title" });
  svg.append(h("svg:title", { id: "chart-title", text: `Mensagens por hora: ${total} no dia; pico de ${top} mensagens.` }));
  hours.forEach((count, hour) => {
    const bar = Math.round((count / top) * height);
    const group = h("svg:g", { class: "bar", dataset: { hour: String(hour), count: String(count) } });
    group.append(
      h("svg:rect", { x: hour * 20 + 3, y: height - bar, width: 14, height: bar, rx: 2 }),
      h("svg:title", { text: `${String(hour).padStart(2, "0")}h: ${count} mensagens` }),
    );
    if (hour % 3 === 0) group.append(h("svg:text", { x: hour * 20 + 10, y: height + 15, "text-anchor": "middle", text: `${hour}h` }));
    svg.append(group);
  });
  return h("figure", { class: "chart-box" }, svg);
}

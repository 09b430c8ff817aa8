// The console's shell: login, header (navigation, presence, logout), hash routes, the live stream.

import * as api from "./api.js";
import { announce, askPermission, claimedHere } from "./alerts.js";
import { Conversation } from "./conversation.js";
import { h, replace, toast } from "./dom.js";
import { Inbox } from "./inbox.js";
import { atLeast, PRESENCE, ROLES } from "./labels.js";
import { renderMetrics } from "./metrics.js";
import { openStream } from "./stream.js";
import { renderTeam } from "./team.js";

const main = document.getElementById("main");
const topbar = document.getElementById("topbar");
const HEARTBEAT_MS = 30000;

let inbox = null;
let conversation = null;
let stream = null;
let heartbeat = 0;
let presence = "available";

function route() {
  const hash = location.hash || "#/inbox";
  const [, page = "inbox", ...rest] = hash.split("/");
  return { page, arg: rest.length ? decodeURIComponent(rest.join("/")) : null };
}

async function show() {
  const me = api.user();
  if (!me) {
    stop();
    topbar.hidden = true;
    renderLogin();
    return;
  }
  await start(me);
  const { page, arg } = route();
  for (const link of topbar.querySelectorAll("[data-nav]")) {
    const current = link.dataset.nav === page || (page === "c" && link.dataset.nav === "inbox");
    if (current) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  document.body.dataset.page = page;
  if (page === "inbox" || page === "c") {
    if (!main.contains(inbox.el)) replace(main, inbox.el, conversation.el);
    document.body.dataset.pane = arg ? "detail" : "list";
    inbox.select(arg);
    await conversation.open(arg);
    document.title = arg ? "Conversa — Atende" : "Atendimentos — Atende";
  } else if (page === "metrics") {
    conversation.open(null);
    document.title = "Métricas — Atende";
    await renderMetrics(main);
  } else if (page === "team" && atLeast(me.role, "supervisor")) {
    conversation.open(null);
    document.title = "Equipe — Atende";
    await renderTeam(main, me);
  } else {
    location.hash = "#/inbox";
  }
}

async function start(me) {
  if (inbox) return;
  await api.loadFeatures();
  inbox = new Inbox(me);
  conversation = new Conversation(me, { onChanged: () => inbox.reload() });
  renderHeader(me);
  topbar.hidden = false;
  stream = openStream({
    onEvent: (kind, data) => {
      inbox.changed(kind, data);
      conversation.changed(kind, data);
      if (kind === "handoff") alertHandoff(me, data);
    },
    onResync: () => {
      inbox.reload();
      conversation.reload();
    },
    onStatus: (online) => inbox.online(online),
  });
  if (atLeast(me.role, "agent") && api.has("PUT", "/operator/presence")) {
    beat();
    heartbeat = setInterval(beat, HEARTBEAT_MS);
  }
}

function stop() {
  if (stream) stream.close();
  clearInterval(heartbeat);
  stream = inbox = conversation = null;
}

function alertHandoff(me, data) {
  const href = `#/c/${encodeURIComponent(data.conversation_id)}`;
  const name = data.customer_name || "Cliente";
  if (!data.agent_id) announce("Novo atendimento aguardando", `${name} quer falar com um agente`, href);
  else if (data.agent_id === me.id && !claimedHere.delete(data.conversation_id)) announce("Conversa atribuída a você", name, href);
}

async function beat() {
  try {
    await api.api("PUT", "/operator/presence", { status: presence });
  } catch (error) {
    if (error.status === 404) clearInterval(heartbeat);
  }
}

function renderHeader(me) {
  const box = document.getElementById("me");
  const controls = [];
  if (atLeast(me.role, "agent") && api.has("PUT", "/operator/presence")) {
    const select = h(
      "select",
      { id: "presence", onchange: () => { presence = select.value; beat(); } },
      Object.entries(PRESENCE).map(([value, label]) => h("option", { value, text: label })),
    );
    controls.push(h("label", { class: "presence", for: "presence" }, h("span", { class: "sr-only", text: "Status" }), select));
  }
  controls.push(
    h("span", { class: "who" }, h("strong", { text: me.name || me.username }), " ", h("small", { text: ROLES[me.role] || me.role })),
    h("button", { type: "button", class: "secondary", onclick: async () => { await api.logout(); location.hash = "#/inbox"; } }, "Sair"),
  );
  replace(box, controls);
  for (const link of topbar.querySelectorAll("[data-min-role]")) link.hidden = !atLeast(me.role, link.dataset.minRole);
}

function renderLogin() {
  document.title = "Entrar — Atende";
  const error = h("p", { class: "error", role: "alert", id: "login-error" });
  const otp = h("input", { id: "otp", name: "otp", inputmode: "numeric", autocomplete: "one-time-code", pattern: "[0-9]{6}", maxlength: "6" });
  const form = h(
    "form",
    { class: "login card", "aria-labelledby": "login-title", onsubmit: submit },
    h("h1", { id: "login-title", text: "Console de atendimento" }),
    h("label", { for: "username", text: "Usuário" }),
    h("input", { id: "username", name: "username", autocomplete: "username", required: true }),
    h("label", { for: "password", text: "Senha" }),
    h("input", { id: "password", name: "password", type: "password", autocomplete: "current-password", required: true }),
    h("label", { for: "otp", text: "Código de verificação (2FA)" }),
    otp,
    h("p", { class: "hint", id: "otp-hint", text: "O código de 6 dígitos do seu aplicativo autenticador, se a verificação em duas etapas estiver ativa." }),
    error,
    h("button", { type: "submit", text: "Entrar" }),
  );
  otp.setAttribute("aria-describedby", "otp-hint");
  replace(main, form);

  async function submit(event) {
    event.preventDefault();
    askPermission();
    error.textContent = "";
    const data = new FormData(form);
    try {
      const answer = await api.login(data.get("username").trim(), data.get("password"), data.get("otp").trim());
      if (answer.enrolment_required) return renderEnrolment(answer);
      show();
    } catch (failure) {
      error.textContent = loginError(failure);
    }
  }
}

function loginError(failure) {
  if (failure.code === "otp_required") return "Informe o código de verificação do seu aplicativo autenticador.";
  if (failure.status === 429) return "Muitas tentativas. Aguarde um pouco e tente de novo.";
  if (failure.status === 401) return "Usuário, senha ou código incorretos.";
  return "Não foi possível entrar agora. Tente de novo.";
}

async function renderEnrolment(answer) {
  const token = answer.enrolment_token;
  const enrolment = await api.enrol(token);
  const error = h("p", { class: "error", role: "alert" });
  const qr = h("img", { src: `data:image/svg+xml;charset=utf-8,${encodeURIComponent(enrolment.qr_svg)}`, alt: "QR code para o aplicativo autenticador", class: "qr" });
  const form = h(
    "form",
    { class: "login card", "aria-labelledby": "enrol-title", onsubmit: confirm },
    h("h1", { id: "enrol-title", text: "Ative a verificação em duas etapas" }),
    h("p", { text: "Leia o QR code no seu aplicativo autenticador (ou digite a chave) e informe o primeiro código." }),
    qr,
    h("p", {}, "Chave: ", h("code", { text: enrolment.secret })),
    h("label", { for: "enrol-otp", text: "Código de verificação" }),
    h("input", { id: "enrol-otp", name: "otp", inputmode: "numeric", autocomplete: "one-time-code", required: true, maxlength: "6" }),
    error,
    h("button", { type: "submit", text: "Confirmar" }),
  );
  replace(main, form);

  async function confirm(event) {
    event.preventDefault();
    try {
      const confirmed = await api.confirmEnrolment(token, new FormData(form).get("otp").trim());
      replace(
        main,
        h(
          "section",
          { class: "login card", "aria-labelledby": "codes-title" },
          h("h1", { id: "codes-title", text: "Códigos de recuperação" }),
          h("p", { text: "Guarde estes códigos em lugar seguro: cada um substitui o código do aplicativo uma vez." }),
          h("ul", { class: "codes" }, confirmed.recovery_codes.map((code) => h("li", {}, h("code", { text: code })))),
          h("button", { type: "button", onclick: () => show(), text: "Continuar" }),
        ),
      );
    } catch {
      error.textContent = "Código incorreto. Tente de novo.";
    }
  }
}

api.onSession((session) => {
  if (!session) {
    toast("Sua sessão terminou. Entre novamente.");
    show();
  }
});
window.addEventListener("hashchange", () => show().catch(failed));
show().catch(failed);

function failed(error) {
  toast(error.detail || error.message || "Algo deu errado.", "error");
}

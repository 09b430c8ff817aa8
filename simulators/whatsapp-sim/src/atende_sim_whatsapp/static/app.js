// Chat page of the WhatsApp simulator: the person using it plays the customer.
"use strict";

const state = {
  phone: null,
  name: "",
  version: -1,
  messages: [],
  config: null,
  listTarget: null,
  pollTimer: null,
  lastRender: "",
};

const $ = (id) => document.getElementById(id);
const ICON_PIN = '<svg viewBox="0 0 24 24" width="28" height="28" aria-hidden="true"><path fill="currentColor" d="M12 2a7 7 0 0 0-7 7c0 5.2 7 13 7 13s7-7.8 7-13a7 7 0 0 0-7-7zm0 9.5A2.5 2.5 0 1 1 12 6.5a2.5 2.5 0 0 1 0 5z"/></svg>';

const TEXT = {
  chooseNumber: "selecione um número para começar",
  typing: "digitando…",
  online: "online",
  windowOpen: "Janela de 24 h aberta",
  windowClosed: "Fora da janela de 24 h",
  gatewayDown: "Gateway inacessível: a mensagem será reenviada, como a Meta faz.",
  gatewayStatus: (code) => `O gateway respondeu HTTP ${code}; a Meta vai reenviar.`,
  sendFailed: "Falha ao enviar a mensagem para o simulador.",
  invalidPhone: "Informe um número com DDI e DDD (8 a 15 dígitos).",
  other: "Outro número…",
  download: "Baixar",
  open: "Abrir",
  template: (name) => `Modelo · ${name}`,
  failed: (code, title) => `Falhou: ${code} ${title}`,
  noConversations: "Nenhuma conversa ainda.",
  today: "Hoje",
  location: "Localização",
  contact: "Contato",
  reactionRemoved: "reação removida",
  demoAddress: "Av. Paulista, 1000 - Bela Vista, São Paulo - SP",
  demoPlace: "Minha casa",
  unsupported: "Tipo de mensagem não suportado",
};

function escapeHtml(text) {
  return String(text ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
}

// WhatsApp's light markup: *bold*, _italic_, ~strike~, ```mono```, plus clickable links.
function formatText(text) {
  let html = escapeHtml(text);
  html = html.replace(/```([\s\S]+?)```/g, "<code>$1</code>");
  html = html.replace(/(^|[\s(])\*([^*\n]+)\*/g, "$1<strong>$2</strong>");
  html = html.replace(/(^|[\s(])_([^_\n]+)_/g, "$1<em>$2</em>");
  html = html.replace(/(^|[\s(])~([^~\n]+)~/g, "$1<del>$2</del>");
  html = html.replace(/(https?:\/\/[^\s<]+)/g, '<a href="$1" target="_blank" rel="noopener">$1</a>');
  return html;
}

function initials(name) {
  const parts = String(name || "?").trim().split(/\s+/);
  return ((parts[0] || "?")[0] + (parts.length > 1 ? parts[parts.length - 1][0] : "")).toUpperCase();
}

function formatPhone(digits) {
  const d = String(digits);
  if (d.startsWith("55") && (d.length === 13 || d.length === 12)) {
    const ddd = d.slice(2, 4);
    const rest = d.slice(4);
    const cut = rest.length - 4;
    return `+55 (${ddd}) ${rest.slice(0, cut)}-${rest.slice(cut)}`;
  }
  return "+" + d;
}

function time(ts) {
  return new Date(ts * 1000).toLocaleTimeString("pt-BR", { hour: "2-digit", minute: "2-digit" });
}

let toastTimer = null;
function toast(message, isError = false) {
  const el = $("toast");
  el.textContent = message;
  el.classList.toggle("error", isError);
  el.classList.remove("hidden");
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => el.classList.add("hidden"), 4500);
}

async function api(path, options = {}) {
  const response = await fetch(path, options);
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    throw new Error(body.detail ? JSON.stringify(body.detail) : `HTTP ${response.status}`);
  }
  return body;
}

// ---- sending as the customer ---------------------------------------------------------------

async function sendInbound(payload) {
  if (!state.phone) return;
  const body = { from: state.phone, name: state.name || undefined, ...payload };
  try {
    const result = await api("/_sim/inbound", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    if (result.gateway_status === null) toast(TEXT.gatewayDown, true);
    else if (result.gateway_status !== 200) toast(TEXT.gatewayStatus(result.gateway_status), true);
  } catch (err) {
    toast(`${TEXT.sendFailed} ${err.message}`, true);
  }
  poll(true);
}

async function sendText() {
  const input = $("text-input");
  const text = input.value.trim();
  if (!text) return;
  input.value = "";
  autoGrow();
  await sendInbound({ text });
}

async function sendAttachment(kind) {
  $("attach-menu").classList.add("hidden");
  const payloads = {
    image: { image: { caption: "Foto do roteador" } },
    document: { document: { filename: "comprovante.pdf", caption: "Comprovante de pagamento" } },
    audio: { audio: { voice: true } },
    sticker: { sticker: {} },
    location: { location: { latitude: -23.5613, longitude: -46.6565, name: TEXT.demoPlace, address: TEXT.demoAddress } },
    contacts: {
      contacts: [{ name: { formatted_name: "José da Silva", first_name: "José" }, phones: [{ phone: "+55 11 91234-5678", type: "CELL" }] }],
    },
  };
  if (kind === "file") {
    $("file-input").click();
    return;
  }
  await sendInbound(payloads[kind]);
}

async function sendFile(file) {
  const form = new FormData();
  form.append("from", state.phone);
  if (state.name) form.append("name", state.name);
  form.append("file", file, file.name);
  try {
    const result = await api("/_sim/inbound/upload", { method: "POST", body: form });
    if (result.gateway_status !== 200) toast(TEXT.gatewayDown, true);
  } catch (err) {
    toast(`${TEXT.sendFailed} ${err.message}`, true);
  }
  poll(true);
}

function replyButton(message, button) {
  sendInbound({ context_id: message.id, interactive: { type: "button_reply", id: button.id, title: button.title } });
}

function replyTemplateButton(message, button) {
  sendInbound({ context_id: message.id, button: { payload: button.payload, text: button.text } });
}

function openList(message) {
  const interactive = message.content;
  state.listTarget = message;
  $("sheet-title").textContent = interactive.action.button;
  const form = $("sheet-form");
  form.innerHTML = "";
  interactive.action.sections.forEach((section, s) => {
    if (section.title) {
      const h = document.createElement("h3");
      h.textContent = section.title;
      form.appendChild(h);
    }
    section.rows.forEach((row, r) => {
      const label = document.createElement("label");
      label.innerHTML = `<input type="radio" name="row" value="${s}:${r}"><span>${escapeHtml(row.title)}${row.description ? `<small>${escapeHtml(row.description)}</small>` : ""}</span>`;
      form.appendChild(label);
    });
  });
  $("sheet-send").disabled = true;
  $("list-sheet").classList.remove("hidden");
}

function sendListChoice() {
  const checked = document.querySelector('#sheet-form input[name="row"]:checked');
  const message = state.listTarget;
  if (!checked || !message) return;
  const [s, r] = checked.value.split(":").map(Number);
  const row = message.content.action.sections[s].rows[r];
  const reply = { type: "list_reply", id: row.id, title: row.title };
  if (row.description) reply.description = row.description;
  $("list-sheet").classList.add("hidden");
  sendInbound({ context_id: message.id, interactive: reply });
}

// ---- rendering -----------------------------------------------------------------------------

function mediaHtml(media) {
  if (!media) return "";
  const url = media.url ? escapeHtml(media.url) : "";
  if (media.kind === "image" || media.kind === "sticker") {
    return `<a href="${url}" target="_blank" rel="noopener"><img class="img" src="${url}" alt="${escapeHtml(media.caption || "imagem")}"></a>`;
  }
  if (media.kind === "audio") return `<audio controls src="${url}" style="max-width:100%"></audio>`;
  if (media.kind === "video") return `<video controls src="${url}" class="img"></video>`;
  const name = media.filename || (media.link ? media.link.split("/").pop() : "documento");
  const ext = (name.split(".").pop() || "DOC").slice(0, 4).toUpperCase();
  return `<a class="doc" href="${url}" target="_blank" rel="noopener" download="${escapeHtml(name)}">
      <span class="doc-icon">${escapeHtml(ext)}</span><span class="doc-name">${escapeHtml(name)}</span>
      <span class="doc-dl">⬇ ${TEXT.download}</span></a>`;
}

function headerHtml(header) {
  if (!header) return "";
  if (header.type === "text") return `<div class="hdr">${formatText(header.text)}</div>`;
  if (header.type === "location") return `<div class="hdr">📍 ${escapeHtml(header.location.name || TEXT.location)}</div>`;
  return mediaHtml(header.media);
}

function ticks(status) {
  if (status === "failed") return '<span class="ticks" style="color:var(--danger)">⚠</span>';
  if (status === "read") return '<span class="ticks read">✓✓</span>';
  if (status === "delivered") return '<span class="ticks">✓✓</span>';
  if (status === "sent") return '<span class="ticks">✓</span>';
  return '<span class="ticks">🕓</span>';
}

function quoteHtml(message, byId) {
  if (!message.context_id) return "";
  const target = byId.get(message.context_id);
  if (!target) return "";
  return `<div class="quote">${escapeHtml(summary(target))}</div>`;
}

function summary(message) {
  const c = message.content || {};
  if (message.type === "text") return c.body;
  if (message.type === "interactive") return c.body ? c.body.text : (c.reply && c.reply.title);
  if (message.type === "template") return c.body;
  if (message.type === "button") return c.text;
  return c.caption || c.filename || message.type;
}

function bodyHtml(message) {
  const c = message.content || {};
  switch (message.type) {
    case "text":
      return `<div class="text">${formatText(c.body)}</div>`;
    case "image": case "document": case "audio": case "video": case "sticker":
      return mediaHtml(c) + (c.caption ? `<div class="text">${formatText(c.caption)}</div>` : "");
    case "template":
      return `<div class="tpl-tag">${escapeHtml(TEXT.template(c.name))}</div>${headerHtml(c.header)}
        <div class="text">${formatText(c.body)}</div>${c.footer ? `<div class="footer">${escapeHtml(c.footer)}</div>` : ""}`;
    case "interactive":
      if (c.reply) return `<div class="text">${escapeHtml(c.reply.title)}</div>`;
      return `${headerHtml(c.header)}<div class="text">${formatText(c.body && c.body.text)}</div>
        ${c.footer ? `<div class="footer">${escapeHtml(c.footer.text)}</div>` : ""}`;
    case "button":
      return `<div class="text">${escapeHtml(c.text)}</div>`;
    case "location":
      return `<div class="loc"><span class="loc-pin">${ICON_PIN}</span><div><strong>${escapeHtml(c.name || TEXT.location)}</strong>
        <div class="small muted">${escapeHtml(c.address || "")}</div><div class="small muted">${c.latitude}, ${c.longitude}</div></div></div>`;
    case "contacts":
      return (c.contacts || []).map((ct) => `<div class="loc"><span class="loc-pin">👤</span><div><strong>${escapeHtml(ct.name && ct.name.formatted_name)}</strong>
        <div class="small muted">${escapeHtml(((ct.phones || [])[0] || {}).phone || "")}</div></div></div>`).join("");
    case "unsupported":
      return `<div class="text muted">${TEXT.unsupported}</div>`;
    default:
      return `<div class="text muted">[${escapeHtml(message.type)}]</div>`;
  }
}

function actionsEl(message, answered) {
  const c = message.content || {};
  const box = document.createElement("div");
  box.className = "actions";
  const add = (label, onClick, href) => {
    const el = document.createElement(href ? "a" : "button");
    el.className = "action";
    el.textContent = label;
    if (href) { el.href = href; el.target = "_blank"; el.rel = "noopener"; }
    else el.addEventListener("click", onClick);
    box.appendChild(el);
    return el;
  };
  if (message.type === "interactive" && c.type === "button") {
    c.action.buttons.forEach((b) => {
      const el = add(b.reply.title, () => replyButton(message, b.reply));
      if (answered.has(message.id)) el.classList.add("chosen");
    });
  } else if (message.type === "interactive" && c.type === "list") {
    add(`☰ ${c.action.button}`, () => openList(message));
  } else if (message.type === "template" && c.buttons && c.buttons.length) {
    c.buttons.forEach((b) => {
      if (b.type === "quick_reply") add(b.text, () => replyTemplateButton(message, b));
      else if (b.type === "url") add(`↗ ${b.text}`, null, b.url);
      else if (b.type === "phone_number") add(`☎ ${b.text}`, null, `tel:${b.phone_number || ""}`);
      else add(b.text, () => {});
    });
  } else {
    return null;
  }
  return box;
}

function render(data) {
  const box = $("messages");
  const nearBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 80;
  const messages = data.messages;
  const byId = new Map(messages.map((m) => [m.id, m]));
  const reactions = new Map();
  const answered = new Set();
  messages.forEach((m) => {
    if (m.type === "reaction") reactions.set(m.content.message_id, m.content.emoji);
    if (m.context_id && m.direction === "in") answered.add(m.context_id);
  });
  box.innerHTML = "";
  if (!messages.length) {
    box.innerHTML = `<div class="empty"><p>Diga “oi” para começar a conversa.</p><p class="muted">${escapeHtml(formatPhone(state.phone))}</p></div>`;
  } else {
    const day = document.createElement("div");
    day.className = "day";
    day.textContent = TEXT.today;
    box.appendChild(day);
  }
  messages.forEach((m) => {
    if (m.type === "reaction") return;
    const row = document.createElement("div");
    row.className = `row ${m.direction}`;
    const bubble = document.createElement("div");
    bubble.className = "bubble" + (m.status === "failed" ? " failed" : "");
    let html = quoteHtml(m, byId) + bodyHtml(m);
    if (m.error) html += `<div class="err">${escapeHtml(TEXT.failed(m.error.code, m.error.title))}</div>`;
    html += `<div class="meta"><span>${time(m.ts)}</span>${ticks(m.status)}</div>`;
    bubble.innerHTML = html;
    const emoji = reactions.get(m.id);
    if (emoji) {
      const r = document.createElement("span");
      r.className = "reactions";
      r.textContent = emoji;
      bubble.appendChild(r);
      row.classList.add("has-reaction");
    }
    const wrap = document.createElement("div");
    wrap.style.maxWidth = "min(560px, 75%)";
    bubble.style.maxWidth = "100%";
    wrap.appendChild(bubble);
    const actions = actionsEl(m, answered);
    if (actions) wrap.appendChild(actions);
    row.appendChild(wrap);
    box.appendChild(row);
  });
  if (data.typing) {
    const row = document.createElement("div");
    row.className = "row out typing-row";
    row.innerHTML = `<div class="bubble">${TEXT.typing}</div>`;
    box.appendChild(row);
  }
  if (nearBottom || state.version === -1) box.scrollTop = box.scrollHeight;
}

function updateHeader(data) {
  const sub = $("chat-sub");
  sub.textContent = data.typing ? TEXT.typing : `${TEXT.online} · cliente ${formatPhone(state.phone)}`;
  sub.classList.toggle("typing", !!data.typing);
  const badge = $("window-badge");
  if (data.window_open !== undefined) {
    badge.textContent = data.window_open ? TEXT.windowOpen : TEXT.windowClosed;
    badge.classList.toggle("closed", !data.window_open);
    badge.classList.remove("hidden");
  }
}

async function poll(force = false) {
  if (!state.phone) return;
  const since = force ? -1 : state.version;
  try {
    const data = await api(`/_sim/chat/conversations/${state.phone}?since=${since}`);
    updateHeader(data);
    if (!data.unchanged) {
      const key = JSON.stringify([data.messages, data.typing]);
      if (key !== state.lastRender) {
        render(data);
        state.lastRender = key;
      }
      state.version = data.version;
    } else if (data.typing !== state.typing) {
      state.lastRender = "";
      state.version = -1;
    }
    state.typing = data.typing;
  } catch (err) {
    // the simulator restarted or is busy; the next poll tries again
  }
}

async function loadCustomers() {
  try {
    const data = await api("/_sim/chat/customers");
    const list = $("customer-list");
    list.innerHTML = "";
    if (!data.customers.length) {
      list.innerHTML = `<li class="muted">${TEXT.noConversations}</li>`;
      return;
    }
    data.customers.forEach((c) => {
      const li = document.createElement("li");
      li.className = c.phone === state.phone ? "active" : "";
      li.innerHTML = `<span class="avatar">${escapeHtml(initials(c.name))}</span><span>${escapeHtml(c.name)}<small>${escapeHtml(formatPhone(c.phone))}</small></span>`;
      li.addEventListener("click", () => openChat(c.phone, c.name));
      list.appendChild(li);
    });
  } catch (err) {
    // ignore: refreshed on the next tick
  }
}

function openChat(phone, name) {
  const digits = String(phone).replace(/\D/g, "");
  if (digits.length < 8 || digits.length > 15) {
    toast(TEXT.invalidPhone, true);
    return;
  }
  state.phone = digits;
  state.name = name || $("name-input").value.trim();
  $("name-input").value = state.name;
  state.version = -1;
  state.lastRender = "";
  ["text-input", "send-btn", "attach-btn"].forEach((id) => { $(id).disabled = false; });
  $("text-input").focus();
  const url = new URL(window.location.href);
  url.searchParams.set("phone", digits);
  window.history.replaceState(null, "", url);
  poll(true);
  loadCustomers();
}

function autoGrow() {
  const el = $("text-input");
  el.style.height = "auto";
  el.style.height = Math.min(el.scrollHeight, 140) + "px";
  el.style.overflowY = el.scrollHeight > 140 ? "auto" : "hidden";
}

async function init() {
  const config = await api("/_sim/chat/config");
  state.config = config;
  $("biz-name").textContent = config.business_name;
  $("biz-avatar").textContent = initials(config.business_name);
  $("info-webhook").textContent = config.webhook_url;
  $("info-business").textContent = formatPhone(config.display_phone_number);
  $("info-read").textContent = { auto: "automática", on_view: "ao ver a conversa", never: "desligada" }[config.read_mode] || config.read_mode;
  const select = $("phone-select");
  config.demo_customers.forEach((c) => {
    const opt = document.createElement("option");
    opt.value = c.phone;
    opt.textContent = `${c.name} · ${formatPhone(c.phone)}`;
    opt.dataset.name = c.name;
    select.appendChild(opt);
  });
  const other = document.createElement("option");
  other.value = "";
  other.textContent = TEXT.other;
  select.appendChild(other);
  const syncName = () => {
    const opt = select.selectedOptions[0];
    $("phone-input").classList.toggle("hidden", select.value !== "");
    if (opt && opt.dataset.name) $("name-input").value = opt.dataset.name;
  };
  select.addEventListener("change", syncName);
  syncName();
  $("open-chat").addEventListener("click", () => {
    const phone = select.value || $("phone-input").value;
    openChat(phone, $("name-input").value.trim());
  });
  $("send-btn").addEventListener("click", sendText);
  $("text-input").addEventListener("input", autoGrow);
  $("text-input").addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); sendText(); }
  });
  $("attach-btn").addEventListener("click", () => $("attach-menu").classList.toggle("hidden"));
  document.querySelectorAll("#attach-menu button").forEach((b) => b.addEventListener("click", () => sendAttachment(b.dataset.kind)));
  $("file-input").addEventListener("change", (e) => {
    if (e.target.files[0]) sendFile(e.target.files[0]);
    e.target.value = "";
  });
  $("sheet-close").addEventListener("click", () => $("list-sheet").classList.add("hidden"));
  $("sheet-form").addEventListener("change", () => { $("sheet-send").disabled = false; });
  $("sheet-send").addEventListener("click", sendListChoice);

  const fromUrl = new URL(window.location.href).searchParams.get("phone");
  if (fromUrl) {
    const demo = config.demo_customers.find((c) => c.phone === fromUrl);
    if (demo) select.value = demo.phone; else { select.value = ""; $("phone-input").value = fromUrl; }
    syncName();
    openChat(fromUrl, demo ? demo.name : "");
  }
  loadCustomers();
  setInterval(() => poll(false), 800);
  setInterval(loadCustomers, 5000);
}

init().catch((err) => toast(`Não foi possível iniciar: ${err.message}`, true));

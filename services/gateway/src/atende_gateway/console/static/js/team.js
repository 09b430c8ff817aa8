// Supervisors: agents online (GET /operator/agents); admins: users and roles (auth's /auth/users).

import * as api from "./api.js";
import { dateTime, h, replace, toast } from "./dom.js";
import { atLeast, PRESENCE, ROLES } from "./labels.js";

export async function renderTeam(main, me) {
  const agents = h("section", { class: "card", "aria-labelledby": "agents-title" }, h("h2", { id: "agents-title", text: "Agentes" }));
  const users = h("section", { class: "card", "aria-labelledby": "users-title" }, h("h2", { id: "users-title", text: "Usuários e perfis" }));
  replace(main, h("section", { class: "page team", "aria-labelledby": "team-title" }, h("h1", { id: "team-title", text: "Equipe" }), agents, users));
  await Promise.all([renderAgents(agents), renderUsers(users, me)]);
}

async function renderAgents(box) {
  const title = box.firstChild;
  if (!api.has("GET", "/operator/agents")) {
    replace(box, title, h("p", { class: "hint", text: "A presença dos agentes ainda não está disponível neste servidor." }));
    return;
  }
  try {
    const answer = await api.get("/operator/agents");
    replace(
      box,
      title,
      h(
        "table",
        { class: "table" },
        h("thead", {}, h("tr", {}, ["Agente", "Perfil", "Status", "Visto por último", "Conversas abertas"].map((c) => h("th", { scope: "col", text: c })))),
        h("tbody", {}, answer.items.map((a) => h("tr", {}, h("td", { text: a.username || a.user_id }), h("td", { text: ROLES[a.role] || a.role }), h("td", {}, h("span", { class: ["badge", `presence-${a.status}`], text: PRESENCE[a.status] || a.status })), h("td", { text: dateTime(a.last_seen) }), h("td", { text: a.open_conversations })))),
      ),
    );
  } catch {
    replace(box, title, h("p", { class: "error", text: "Não foi possível carregar os agentes." }));
  }
}

async function renderUsers(box, me) {
  const title = box.firstChild;
  let answer;
  try {
    answer = await api.get("/auth/users");
  } catch (error) {
    replace(box, title, h("p", { class: "hint", text: error.status === 403 ? "Só administradores gerenciam usuários." : "Não foi possível carregar os usuários." }));
    return;
  }
  const reload = () => renderUsers(box, me);
  const patch = async (user, body, done) => {
    try {
      await api.api("PATCH", `/auth/users/${encodeURIComponent(user.id)}`, body);
      toast(done);
      reload();
    } catch (error) {
      toast(error.detail || "Não foi possível alterar o usuário.", "error");
    }
  };
  // Supervisors manage agents and viewers; admins everyone (auth enforces it, the form follows).
  const grantable = Object.entries(ROLES).filter(([value]) => atLeast(me.role, "admin") || value === "agent" || value === "viewer");
  const rows = answer.items.map((user) => {
    const options = grantable.some(([value]) => value === user.role) ? grantable : [[user.role, ROLES[user.role] || user.role], ...grantable];
    const role = h("select", { "aria-label": `Perfil de ${user.username}`, disabled: user.id === me.id, onchange: () => patch(user, { role: role.value }, "Perfil alterado.") }, options.map(([value, label]) => h("option", { value, text: label, selected: value === user.role })));
    return h(
      "tr",
      {},
      h("td", { text: user.username }),
      h("td", { text: user.name }),
      h("td", {}, role),
      h("td", { text: user.totp_enabled ? "ativa" : "inativa" }),
      h(
        "td",
        { class: "actions" },
        user.id !== me.id && h("button", { type: "button", class: "secondary", onclick: () => patch(user, { active: !user.active }, user.active ? "Usuário desativado." : "Usuário ativado."), text: user.active ? "Desativar" : "Ativar" }),
        user.totp_enabled && user.id !== me.id && h("button", { type: "button", class: "secondary", onclick: async () => {
          try {
            await api.post(`/auth/users/${encodeURIComponent(user.id)}/2fa-reset`);
            toast("2FA redefinida: o usuário cadastra de novo no próximo acesso.");
            reload();
          } catch (error) {
            toast(error.detail || "Não foi possível redefinir a 2FA.", "error");
          }
        }, text: "Redefinir 2FA" }),
      ),
    );
  });
  const form = h(
    "form",
    { class: "new-user", "aria-label": "Novo usuário", onsubmit: async (e) => {
      e.preventDefault();
      const data = Object.fromEntries(new FormData(form));
      try {
        await api.post("/auth/users", data);
        toast("Usuário criado.");
        reload();
      } catch (error) {
        toast(error.detail || "Não foi possível criar o usuário.", "error");
      }
    } },
    h("h3", { text: "Novo usuário" }),
    field("new-username", "Usuário", h("input", { id: "new-username", name: "username", required: true, autocomplete: "off" })),
    field("new-name", "Nome", h("input", { id: "new-name", name: "name", required: true })),
    field("new-role", "Perfil", h("select", { id: "new-role", name: "role" }, grantable.map(([value, label]) => h("option", { value, text: label, selected: value === "agent" })))),
    field("new-password", "Senha inicial", h("input", { id: "new-password", name: "password", type: "password", required: true, minlength: "12", autocomplete: "new-password" })),
    h("button", { type: "submit", text: "Criar" }),
  );
  replace(
    box,
    title,
    h("table", { class: "table" }, h("thead", {}, h("tr", {}, ["Usuário", "Nome", "Perfil", "2FA", "Ações"].map((c) => h("th", { scope: "col", text: c })))), h("tbody", {}, rows)),
    atLeast(me.role, "supervisor") && form,
  );
}

function field(id, label, input) {
  return h("div", { class: "field" }, h("label", { for: id, text: label }), input);
}

// pt-BR names of the API's values.

export const INTENTS = {
  saudacao: "Saudação",
  segunda_via: "Segunda via",
  informar_pagamento: "Informar pagamento",
  promessa_pagamento: "Promessa de pagamento",
  sem_conexao: "Sem conexão",
  conexao_lenta: "Conexão lenta",
  falar_atendente: "Falar com atendente",
  cancelamento: "Cancelamento",
  planos: "Planos",
  agendamento: "Agendamento",
  mudanca_endereco: "Mudança de endereço",
  agradecimento: "Agradecimento",
  fora_escopo: "Fora do escopo",
};

export const SENTIMENTS = { positive: "positivo", neutral: "neutro", negative: "negativo" };

export const STATES = { bot: "com o bot", queued: "aguardando", claimed: "em atendimento", closed: "encerrada" };

export const VIEWS = [
  ["bot", "Com o bot"],
  ["queued", "Aguardando"],
  ["mine", "Minhas"],
  ["others", "De outros agentes"],
  ["closed", "Encerradas"],
];

export const ROLES = { viewer: "Observador", agent: "Agente", supervisor: "Supervisor", admin: "Administrador" };

export const AUTHORS = { customer: "Cliente", bot: "Bot", agent: "Agente", note: "Nota interna", system: "Sistema" };

export const TICKS = {
  pending: ["enviando", "…"],
  sent: ["enviado", "✓"],
  delivered: ["entregue", "✓✓"],
  read: ["lido", "✓✓"],
  failed: ["falhou", "!"],
};

export const SLA = { ok: "no prazo", warning: "atenção", breached: "prazo estourado" };

export const CLOSE_REASONS = {
  solved: "Resolvido",
  no_answer: "Cliente não respondeu",
  spam: "Spam",
  duplicate: "Duplicada",
  other: "Outro motivo",
};

export const TICKET_KINDS = {
  no_connection: "Sem conexão",
  slow_connection: "Conexão lenta",
  technician_visit: "Visita técnica",
  other: "Outro",
};

export const CONNECTION = { online: "online", offline: "offline", blocked: "bloqueada", unknown: "desconhecida" };

export const PRESENCE = { available: "Disponível", away: "Ausente" };

const RANK = { viewer: 0, agent: 1, supervisor: 2, admin: 3 };

export function atLeast(role, wanted) {
  return (RANK[role] ?? -1) >= RANK[wanted];
}

export function intentName(intent) {
  return INTENTS[intent] || intent || "";
}

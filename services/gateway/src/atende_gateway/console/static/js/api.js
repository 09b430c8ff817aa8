// The session (tokens in sessionStorage: they survive a reload of the tab, not the closing of it),
// the fetch wrapper that refreshes before expiry, and which optional routes this gateway has.

const STORAGE = "atende.console.session";
const REFRESH_MARGIN_S = 60;

export class ApiError extends Error {
  constructor(status, detail, code) {
    super(detail || `HTTP ${status}`);
    this.status = status;
    this.detail = detail;
    this.code = code;
  }
}

let session = load();
let refreshTimer = 0;
let refreshing = null;
const listeners = new Set();

function load() {
  try {
    return JSON.parse(sessionStorage.getItem(STORAGE) || "null");
  } catch {
    return null;
  }
}

function save(next) {
  session = next;
  if (next) sessionStorage.setItem(STORAGE, JSON.stringify(next));
  else sessionStorage.removeItem(STORAGE);
  schedule();
  for (const listener of listeners) listener(session);
}

function schedule() {
  clearTimeout(refreshTimer);
  if (!session) return;
  // A minute before expiry, or a quarter of the lifetime for short-lived tokens.
  const margin = Math.min(REFRESH_MARGIN_S, (session.lifetime || REFRESH_MARGIN_S * 4) / 4);
  const wait = Math.max((session.expires_at - margin) * 1000 - Date.now(), 1000);
  refreshTimer = setTimeout(() => refresh().catch(() => save(null)), wait);
}

export function onSession(listener) {
  listeners.add(listener);
}

export function user() {
  return session ? session.user : null;
}

export function accessToken() {
  return session ? session.access_token : null;
}

function started(tokens) {
  save({
    access_token: tokens.access_token,
    refresh_token: tokens.refresh_token,
    expires_at: Date.now() / 1000 + tokens.expires_in,
    lifetime: tokens.expires_in,
    user: tokens.user,
  });
}

async function send(method, path, body, headers = {}) {
  const init = { method, headers: { Accept: "application/json", ...headers } };
  if (body instanceof FormData) init.body = body;
  else if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = { detail: text };
  }
  if (!response.ok) {
    const detail = data && (typeof data.detail === "string" ? data.detail : JSON.stringify(data.detail));
    throw new ApiError(response.status, detail, data && data.code);
  }
  return data;
}

/** Log in: tokens, or {enrolment_required, enrolment_token} when the role must enrol TOTP first. */
export async function login(username, password, otp) {
  const body = { username, password };
  if (otp) body.otp = otp;
  const answer = await send("POST", "/auth/login", body);
  if (!answer.enrolment_required) started(answer);
  return answer;
}

export async function enrol(enrolmentToken) {
  return send("POST", "/auth/2fa/enrol", undefined, { Authorization: `Bearer ${enrolmentToken}` });
}

export async function confirmEnrolment(enrolmentToken, otp) {
  const answer = await send("POST", "/auth/2fa/confirm", { otp }, { Authorization: `Bearer ${enrolmentToken}` });
  if (answer.access_token) started(answer);
  return answer;
}

export function refresh() {
  if (!session) return Promise.reject(new ApiError(401, "no session"));
  refreshing ??= send("POST", "/auth/refresh", { refresh_token: session.refresh_token })
    .then(started)
    .finally(() => { refreshing = null; });
  return refreshing;
}

export async function logout() {
  const ending = session;
  if (ending) {
    try {
      await send("POST", "/auth/logout", { refresh_token: ending.refresh_token }, bearer(ending.access_token));
    } catch {
      // The session ends here anyway; the tokens expire on their own.
    }
  }
  features = null;
  save(null);
}

function bearer(token) {
  return { Authorization: `Bearer ${token}` };
}

/** An authenticated call; one refresh and retry on a 401. */
export async function api(method, path, body, headers = {}) {
  if (!session) throw new ApiError(401, "not logged in");
  try {
    return await send(method, path, body, { ...headers, ...bearer(session.access_token) });
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 401) throw error;
    try {
      await refresh();
    } catch {
      save(null);
      throw error;
    }
    return send(method, path, body, { ...headers, ...bearer(session.access_token) });
  }
}

export const get = (path) => api("GET", path);
export const post = (path, body, headers) => api("POST", path, body, headers);

export function idempotent() {
  return { "Idempotency-Key": crypto.randomUUID() };
}

export function cid(id) {
  return encodeURIComponent(id);
}

// Routes other parts of the console may not have yet (they ship separately): read from the OpenAPI
// document once per session, and a 404 from one of them hides its control too.
let features = null;

export async function loadFeatures() {
  if (features) return features;
  try {
    const doc = await get("/openapi.json");
    features = { paths: doc.paths || {}, schemas: (doc.components && doc.components.schemas) || {} };
  } catch {
    features = { paths: {}, schemas: {} };
  }
  return features;
}

export function has(method, path) {
  const entry = features && features.paths[path];
  return Boolean(entry && entry[method.toLowerCase()]);
}

export function forget(method, path) {
  const entry = features && features.paths[path];
  if (entry) delete entry[method.toLowerCase()];
}

/** The intent labels the API accepts for a correction (its schema), in the NLU's order. */
export function intentLabels(fallback) {
  const schema = features && features.schemas.TurnCorrection;
  const intent = schema && schema.properties && schema.properties.intent;
  const values = intent && (intent.enum || (intent.anyOf || []).flatMap((s) => s.enum || []));
  return values && values.length ? values : fallback;
}

schedule();

// The live stream GET /operator/stream read with fetch() (EventSource cannot send a bearer header).
// `reauth` ends a stream on purpose: reconnect at once with a fresh token. Errors reconnect with a
// growing pause; every reconnection after the first asks the page to reload what it shows.

import { accessToken, refresh } from "./api.js";

export function openStream({ onEvent, onResync, onStatus }) {
  let stopped = false;
  let controller = null;
  let pause = 1000;
  let connections = 0;

  async function connectOnce() {
    controller = new AbortController();
    const response = await fetch("/operator/stream", {
      headers: { Authorization: `Bearer ${accessToken()}`, Accept: "text/event-stream" },
      signal: controller.signal,
      cache: "no-store",
    });
    if (response.status === 401) {
      await refresh();
      return;
    }
    if (!response.ok || !response.body) throw new Error(`stream answered ${response.status}`);
    connections += 1;
    if (connections > 1) onResync();
    onStatus(true);
    pause = 1000;
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value.replace(/\r\n/g, "\n");
      let end;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = parse(block);
        if (!event) continue;
        if (event.name === "reauth") {
          controller.abort();
          return;
        }
        if (event.name === "resync") onResync();
        else onEvent(event.name, event.data);
      }
    }
  }

  async function run() {
    while (!stopped) {
      try {
        await connectOnce();
      } catch {
        if (stopped) return;
        onStatus(false);
        await new Promise((resolve) => setTimeout(resolve, pause));
        pause = Math.min(pause * 2, 15000);
      }
    }
  }

  run();
  return {
    close() {
      stopped = true;
      if (controller) controller.abort();
    },
  };
}

function parse(block) {
  let name = "message";
  const data = [];
  for (const line of block.split("\n")) {
    if (!line || line.startsWith(":")) continue;
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
    if (field === "event") name = value;
    else if (field === "data") data.push(value);
  }
  if (!data.length && name === "message") return null;
  let payload = {};
  try {
    payload = data.length ? JSON.parse(data.join("\n")) : {};
  } catch {
    payload = {};
  }
  return { name, data: payload };
}

// A new handoff: a browser notification (once the agent allowed them) and a short beep (WebAudio).

let audio = null;
// Conversations this tab just claimed: their "assigned to you" change is no news to announce.
export const claimedHere = new Set();

export function askPermission() {
  if ("Notification" in window && Notification.permission === "default") {
    Notification.requestPermission().catch(() => {});
  }
  // Browsers start audio only after a user gesture: this is called from one (the login).
  try {
    audio ??= new AudioContext();
  } catch {
    audio = null;
  }
}

export function beep() {
  if (!audio) return;
  const oscillator = audio.createOscillator();
  const gain = audio.createGain();
  oscillator.type = "sine";
  oscillator.frequency.value = 880;
  gain.gain.setValueAtTime(0.15, audio.currentTime);
  gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + 0.25);
  oscillator.connect(gain).connect(audio.destination);
  oscillator.start();
  oscillator.stop(audio.currentTime + 0.25);
}

export function announce(title, body, href) {
  beep();
  if (!("Notification" in window) || Notification.permission !== "granted") return;
  const notification = new Notification(title, { body, tag: href, lang: "pt-BR" });
  notification.onclick = () => {
    window.focus();
    if (href) location.hash = href;
    notification.close();
  };
}

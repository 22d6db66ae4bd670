// The label page's clip player: an <audio> pointed at the server's clip URL, playback speed
// 0.5–2× (remembered in the browser), replay, and keys that work while typing in the text box.
// It also puts the caret in the transcript box when a new segment opens, so labelers never
// reach for the mouse between segments.
const SPEEDS = [0.5, 0.75, 1, 1.25, 1.5, 2];
const SPEED_KEY = "speechlabel.playbackRate";

function storedSpeed() {
  const value = parseFloat(window.localStorage.getItem(SPEED_KEY) || "1");
  return SPEEDS.includes(value) ? value : 1;
}

function setSpeed(root, audio, value) {
  audio.playbackRate = value;
  window.localStorage.setItem(SPEED_KEY, String(value));
  root.querySelectorAll("button[data-speed]").forEach((button) => {
    button.classList.toggle("active", parseFloat(button.dataset.speed) === value);
  });
}

function stepSpeed(root, audio, step) {
  const index = SPEEDS.indexOf(audio.playbackRate);
  const next = SPEEDS[Math.min(SPEEDS.length - 1, Math.max(0, (index < 0 ? 2 : index) + step))];
  setSpeed(root, audio, next);
}

function replay(audio) {
  audio.currentTime = 0;
  audio.play().catch(() => {});
}

function focusTranscript(focusKey, token) {
  // Streamlit renders asynchronously and may mount the text box again right after: for a
  // moment, put the caret back whenever nothing else has the focus (never steal it from a
  // field the labeler chose).
  if (!focusKey || window.__speechlabelFocused === token) return;
  window.__speechlabelFocused = token;
  let tries = 0;
  let focusedBox = null;
  const attempt = () => {
    if (window.__speechlabelFocused !== token) return; // another segment opened meanwhile
    const box = document.querySelector(`.st-key-${focusKey} textarea`);
    const free = !document.activeElement || document.activeElement === document.body;
    // Only a text box not focused yet (first render, or mounted anew) takes the caret: a
    // labeler who left the box on purpose keeps their choice.
    if (box && free && box !== focusedBox) {
      focusedBox = box;
      box.focus();
      box.setSelectionRange(box.value.length, box.value.length);
    }
    if (tries++ < 30) window.setTimeout(attempt, 50);
  };
  attempt();
}

export default function (component) {
  const { data, parentElement } = component;
  const root = parentElement;
  const audio = root.querySelector("audio");
  const speeds = root.querySelector(".speeds");
  if (!speeds.childElementCount) {
    SPEEDS.forEach((value) => {
      const button = document.createElement("button");
      button.dataset.speed = String(value);
      button.textContent = `${value}×`;
      speeds.appendChild(button);
    });
  }
  root.querySelectorAll("button[data-speed]").forEach((button) => {
    button.onclick = () => setSpeed(root, audio, parseFloat(button.dataset.speed));
  });
  root.querySelector(".replay").onclick = () => replay(audio);
  root.querySelector(".where").textContent = data.caption;
  // The page's language: the Python side sends every visible text (views/label.py player_texts).
  const texts = data.texts || {};
  const replayButton = root.querySelector(".replay");
  if (texts.replay) replayButton.textContent = texts.replay;
  if (texts.replay_help) replayButton.title = texts.replay_help;
  if (texts.speed_help) speeds.title = texts.speed_help;
  if (texts.keys) root.querySelector(".keys").textContent = texts.keys;

  if (audio.dataset.src !== data.url) {
    audio.dataset.src = data.url;
    audio.src = data.url;
    audio.load();
    audio.playbackRate = storedSpeed();
    if (data.autoplay) audio.play().catch(() => {}); // browsers may refuse before a first click
  }
  setSpeed(root, audio, storedSpeed());
  // playbackRate resets when a new source loads; keep the chosen speed.
  audio.onloadedmetadata = () => { audio.playbackRate = storedSpeed(); };

  const onKey = (event) => {
    if (event.key === "Escape" && !event.altKey && !event.ctrlKey && !event.metaKey) {
      event.preventDefault();
      if (audio.paused) audio.play().catch(() => {}); else audio.pause();
    } else if (event.altKey && event.code === "KeyR") {
      event.preventDefault();
      replay(audio);
    } else if (event.altKey && (event.code === "Comma" || event.code === "Period")) {
      event.preventDefault();
      stepSpeed(root, audio, event.code === "Comma" ? -1 : 1);
    }
  };
  if (window.__speechlabelKeys) document.removeEventListener("keydown", window.__speechlabelKeys, true);
  window.__speechlabelKeys = onKey;
  document.addEventListener("keydown", onKey, true);
  focusTranscript(data.focus_key, data.token);

  return () => {
    document.removeEventListener("keydown", onKey, true);
    if (window.__speechlabelKeys === onKey) window.__speechlabelKeys = null;
  };
}

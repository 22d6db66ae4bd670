// The label page's waveform (an st.components.v2 component; views/waveform.py sends the data).
// It draws the peaks the server computed for a window around the segment (the browser never
// decodes audio, so a 2-hour recording is never sent whole), plays that window's clip from the
// app's clip route, and shows the segment as a region whose edges can be dragged; the other
// segments in the window are greyed and fixed. New bounds go back to Python, which snaps the
// dragged edge to the nearest pause and saves them with the segment's version.
//
// Keys (while the waveform has the focus — never while typing):
//   space play/pause · [ ] start −/+ · { } end −/+ (50 ms; with Alt 250 ms) · s split at the
//   playhead · m merge with the next segment · + − zoom · ? this help.
// Shift cannot choose the larger step as it does elsewhere: { and } are Shift+[ and Shift+]
// on US and Korean keyboards, so the key's position (event.code) picks the edge, Shift picks
// the end, and Alt picks 250 ms.
import WaveSurfer from "wavesurfer.js";
import RegionsPlugin from "wavesurfer.js/dist/plugins/regions.esm.js";
import { snap } from "./snap.js";

const SPEEDS = [0.5, 0.75, 1, 1.25, 1.5, 2];
const SPEED_KEY = "speechlabel.playbackRate"; // the clip player's key: one speed for both
const ZOOMS = [0, 100, 200, 400, 800]; // pixels per second; 0 fits the window to the width
const SEGMENT_COLOR = "rgba(37, 99, 235, 0.20)";
const OTHER_COLOR = "rgba(100, 116, 139, 0.30)";
const KEY_SETTLE_MS = 450; // key presses in a row are saved once, after the last
const SMALL_STEP = 0.05;
const LARGE_STEP = 0.25;

// Streamlit may mount the component afresh on a rerun (a new element above it moves it), which
// drops its DOM and the focus with it. What must outlive a mount lives here, in the module,
// which the page imports once: the mounted waveform, the key steps waiting to be saved, and
// whether the waveform had the focus (the new mount takes it back).
let current = null;
let pendingSteps = null; // {token, timer}
let hadFocus = false;

function storedSpeed() {
  const value = parseFloat(window.localStorage.getItem(SPEED_KEY) || "1");
  return SPEEDS.includes(value) ? value : 1;
}

const round3 = (value) => Math.round(value * 1000) / 1000;

function clock(seconds) {
  const minutes = Math.floor(seconds / 60);
  return `${minutes}:${(seconds - minutes * 60).toFixed(3).padStart(6, "0")}`;
}

function element(tag, className, parent, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  if (parent) parent.appendChild(node);
  return node;
}

function layout(parent) {
  const root = element("div", "waveform", parent);
  root.tabIndex = 0;
  const bar = element("div", "bar", root);
  const view = {
    root,
    play: element("button", "play", bar, "▶"),
    speeds: element("span", "speeds", bar),
    zoomOut: element("button", "zoom-out", bar, "−"),
    zoomIn: element("button", "zoom-in", bar, "+"),
    where: element("span", "where", bar),
    helpButton: element("button", "help-button", bar, "?"),
    wave: element("div", "wave", root),
    help: element("div", "help", root),
  };
  view.help.hidden = true;
  SPEEDS.forEach((value) => {
    const button = element("button", "speed", view.speeds, `${value}×`);
    button.dataset.rate = String(value);
  });
  return view;
}

function showTexts(state) {
  const texts = state.data.texts || {};
  const { view } = state;
  view.play.title = texts.play || "";
  view.zoomIn.title = texts.zoom_in || "";
  view.zoomOut.title = texts.zoom_out || "";
  view.speeds.title = texts.speed || "";
  view.helpButton.title = texts.help || "";
  view.help.replaceChildren();
  element("strong", "", view.help, texts.help_title || "");
  const list = element("dl", "", view.help);
  for (const [keys, meaning] of state.data.help || []) {
    element("dt", "", list, keys);
    element("dd", "", list, meaning);
  }
  const close = element("button", "close", view.help, "×");
  close.title = texts.close || "";
  close.onclick = () => toggleHelp(state, false);
}

function toggleHelp(state, open) {
  state.view.help.hidden = open === undefined ? !state.view.help.hidden : !open;
}

function showWhere(state) {
  const { data, ws, segment } = state;
  if (!ws || !segment) return;
  const now = data.window_start + ws.getCurrentTime();
  const bounds = `${clock(data.window_start + segment.start)}–${clock(data.window_start + segment.end)}`;
  state.view.where.textContent = `${clock(now)} · ${bounds}`;
}

function setSpeed(state, value) {
  window.localStorage.setItem(SPEED_KEY, String(value));
  if (state.ws) state.ws.setPlaybackRate(value, true);
  state.view.speeds.querySelectorAll("button").forEach((button) => {
    button.classList.toggle("active", parseFloat(button.dataset.rate) === value);
  });
}

function setZoom(state, index) {
  state.zoom = Math.max(0, Math.min(ZOOMS.length - 1, index));
  if (state.ws && state.ready) {
    state.ws.zoom(ZOOMS[state.zoom]);
    // Keep the playhead in sight: a zoom alone would leave the view at the window's start.
    state.ws.setScrollTime(Math.max(0, state.ws.getCurrentTime() - 1));
  }
  state.view.root.dataset.zoom = String(ZOOMS[state.zoom]);
}

// Keep an edge between the neighbours (limits) and the segment at least min_duration long.
function clamped(state, start, end) {
  const { limits, min_duration: shortest } = state.data;
  const low = Math.max(limits[0], 0);
  const high = Math.min(limits[1], state.data.duration);
  return [Math.min(Math.max(start, low), end - shortest), Math.max(Math.min(end, high), start + shortest)];
}

function sendBounds(state, edge) {
  const { data, segment } = state;
  state.send("bounds", {
    token: data.token,
    start: round3(data.window_start + segment.start),
    end: round3(data.window_start + segment.end),
    edge,
  });
}

function onDragged(state, region, side) {
  const [start, end] = clamped(state, region.start, region.end);
  const edge = side === "start" || side === "end" ? side : null;
  // Show where the save will land; Python snaps the same way with the same pauses.
  const { pauses, snap_seconds: tolerance, inset_seconds: inset } = state.data;
  const shown = [start, end];
  if (edge === "start") shown[0] = snap(start, pauses, tolerance, inset);
  if (edge === "end") shown[1] = snap(end, pauses, tolerance, inset);
  const [lowest, highest] = clamped(state, shown[0], shown[1]);
  region.setOptions({ start: lowest, end: highest });
  state.segment = { start, end };
  sendBounds(state, edge);
  state.segment = { start: lowest, end: highest };
  showWhere(state);
}

function nudge(state, edge, step) {
  if (!state.data.editable || !state.region) return;
  const { region } = state;
  const start = edge === "start" ? region.start + step : region.start;
  const end = edge === "end" ? region.end + step : region.end;
  const [low, high] = clamped(state, start, end);
  region.setOptions({ start: low, end: high });
  state.segment = { start: low, end: high };
  showWhere(state);
  if (pendingSteps) window.clearTimeout(pendingSteps.timer);
  const token = state.data.token;
  const timer = window.setTimeout(() => {
    pendingSteps = null;
    // The mount current now (maybe a new one) sends, with the bounds the steps reached.
    if (current && current.data.token === token) {
      current.segment = { ...state.segment };
      sendBounds(current, null);
    }
  }, KEY_SETTLE_MS);
  pendingSteps = { token, timer };
}

function addRegions(state) {
  const { data, regions } = state;
  regions.clearRegions();
  for (const [start, end] of data.others) {
    regions.addRegion({ start, end, drag: false, resize: false, color: OTHER_COLOR, id: `other-${start}` });
  }
  const carried = current === state && state.carriedSegment;
  state.segment = carried ? { ...carried } : { ...data.segment };
  state.region = regions.addRegion({
    id: "segment",
    start: state.segment.start,
    end: state.segment.end,
    drag: false,
    resize: data.editable,
    color: SEGMENT_COLOR,
    minLength: data.min_duration,
  });
}

function build(state) {
  const { data, view } = state;
  if (state.ws) state.ws.destroy();
  state.ready = false;
  state.regions = RegionsPlugin.create();
  state.ws = WaveSurfer.create({
    container: view.wave,
    height: 110,
    waveColor: "#94a3b8",
    progressColor: "#475569",
    cursorColor: "#dc2626",
    cursorWidth: 2,
    normalize: true,
    url: data.url,
    peaks: [data.peaks],
    duration: data.duration,
    minPxPerSec: ZOOMS[state.zoom],
    autoScroll: true,
    plugins: [state.regions],
  });
  const { ws, regions } = state;
  ws.on("decode", () => {
    state.ready = true;
    addRegions(state);
    setSpeed(state, storedSpeed());
    setZoom(state, state.zoom);
  });
  // The playhead starts at the segment (the window begins up to 3 s before it); set once the
  // audio element can seek, or the load resets it.
  ws.once("ready", () => {
    ws.setTime(state.segment.start);
    view.root.dataset.ready = data.token;
    showWhere(state);
  });
  ws.on("timeupdate", () => showWhere(state));
  ws.on("play", () => { view.play.textContent = "❚❚"; });
  ws.on("pause", () => { view.play.textContent = "▶"; });
  ws.on("interaction", () => view.root.focus({ preventScroll: true }));
  regions.on("region-updated", (region, side) => {
    if (region === state.region) onDragged(state, region, side);
  });
}

function isTyping(event) {
  const target = event.composedPath()[0];
  return target instanceof HTMLElement &&
    (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName));
}

function onKey(state, event) {
  // Only while the waveform has the focus: s and m change segments, and a stray key on the
  // page (or in the text box) must never split or merge.
  const mine = event.composedPath().includes(state.view.root);
  if (!mine || isTyping(event) || event.ctrlKey || event.metaKey) return;
  const { code } = event;
  let handled = true;
  if (code === "Space" && !event.altKey) {
    state.ws.playPause();
  } else if (code === "BracketLeft" || code === "BracketRight") {
    const step = (event.altKey ? LARGE_STEP : SMALL_STEP) * (code === "BracketLeft" ? -1 : 1);
    nudge(state, event.shiftKey ? "end" : "start", step);
  } else if (code === "KeyS" && !event.altKey && !event.shiftKey && state.data.editable) {
    state.send("split", { token: state.data.token, at: round3(state.data.window_start + state.ws.getCurrentTime()) });
  } else if (code === "KeyM" && !event.altKey && !event.shiftKey && state.data.editable) {
    state.send("merge", { token: state.data.token });
  } else if (event.key === "?") {
    toggleHelp(state);
  } else if (event.key === "+" || event.key === "=") {
    setZoom(state, state.zoom + 1);
  } else if (event.key === "-") {
    setZoom(state, state.zoom - 1);
  } else {
    handled = false;
  }
  if (handled) {
    event.preventDefault();
    event.stopPropagation();
  }
}

function wire(state) {
  const { view } = state;
  view.play.onclick = () => state.ws && state.ws.playPause();
  view.zoomIn.onclick = () => setZoom(state, state.zoom + 1);
  view.zoomOut.onclick = () => setZoom(state, state.zoom - 1);
  view.helpButton.onclick = () => toggleHelp(state);
  view.speeds.querySelectorAll("button").forEach((button) => {
    button.onclick = () => setSpeed(state, parseFloat(button.dataset.rate));
  });
  view.root.addEventListener("focusin", () => { hadFocus = true; });
  view.root.addEventListener("focusout", (event) => { if (event.relatedTarget) hadFocus = false; });
  view.root.addEventListener("pointerdown", () => { hadFocus = true; });
}

document.addEventListener("keydown", (event) => {
  if (current && current.ws && current.view.root.isConnected) onKey(current, event);
});
document.addEventListener("pointerdown", (event) => {
  if (current && !event.composedPath().includes(current.view.root)) hadFocus = false;
}, true);

function connected(parentElement) {
  return (parentElement.host || parentElement).isConnected;
}

export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  let state = parentElement.__speechlabelWaveform;
  if (!state) {
    state = { view: layout(parentElement), zoom: current ? current.zoom : 0 };
    // A new mount of the segment the old one showed keeps the bounds its key steps reached.
    if (current && current.data.token === data.token && pendingSteps) state.carriedSegment = current.segment;
    parentElement.__speechlabelWaveform = state;
    wire(state);
    const free = !document.activeElement || document.activeElement === document.body;
    if (hadFocus && free) state.view.root.focus({ preventScroll: true });
  }
  state.send = setTriggerValue;
  const rebuild = !state.data || state.data.token !== data.token || state.data.url !== data.url;
  if (rebuild && pendingSteps && pendingSteps.token !== data.token) {
    window.clearTimeout(pendingSteps.timer); // made on a version that is gone
    pendingSteps = null;
  }
  state.data = data;
  current = state;
  showTexts(state);
  if (rebuild) build(state);
  // Streamlit may call this after a rerun that keeps the component on the page: only a mount
  // that has really left the page is taken down.
  return () => window.setTimeout(() => {
    if (connected(parentElement)) return;
    if (state.ws) state.ws.destroy();
    state.ws = null;
    if (current === state) current = null;
  }, 0);
}

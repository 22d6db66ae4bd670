// The segment's window drawn from the peaks the server computed (the browser never decodes
// audio), played through the loop's one <audio> element: the segment is a blue region whose
// edges drag (a dropped edge snaps into a nearby pause, as the server will), the neighbours are
// greyed. Times here are seconds from the window's start; the card's wave says where that is.
import WaveSurfer from "wavesurfer.js";
import RegionsPlugin from "wavesurfer.js/dist/plugins/regions.esm.js";
import { snap } from "../snap.js";

const SEGMENT_COLOR = "rgba(37, 99, 235, 0.20)";
const OTHER_COLOR = "rgba(100, 116, 139, 0.30)";

// The card's peaks: one byte each (0–255 for 0–1), base64.
export function peakLevels(encoded) {
  const bytes = atob(encoded);
  const levels = new Float32Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) levels[i] = bytes.charCodeAt(i) / 255;
  return levels;
}

export class Wave {
  constructor(container, media, onBounds) {
    this.regions = RegionsPlugin.create();
    this.ws = WaveSurfer.create({
      container, media, height: 90, waveColor: "#94a3b8", progressColor: "#475569", cursorColor: "#dc2626",
      cursorWidth: 2, normalize: true, autoScroll: true, plugins: [this.regions],
    });
    this.onBounds = onBounds;
    this.wave = null;
    this.region = null;
    this.regions.on("region-updated", (region, side) => {
      if (region === this.region) this.dragged(side);
    });
  }

  // Draw a card's window; the media element already has (or gets) its URL from the caller.
  show(wave, url, editable) {
    this.wave = wave;
    this.editable = editable;
    // Regions are drawn once wavesurfer knows the window's duration ("decode": from the peaks
    // and duration given, no audio decoded); one added before would be held back and land at 0.
    this.ws.once("decode", () => this.draw());
    this.ws.load(url, [peakLevels(wave.peaks)], wave.duration).catch(() => {});
  }

  draw() {
    const { wave } = this;
    if (!wave) return;
    this.regions.clearRegions();
    for (const [start, end] of wave.others) {
      this.regions.addRegion({ start, end, drag: false, resize: false, color: OTHER_COLOR });
    }
    this.region = this.regions.addRegion({
      id: "segment", start: wave.segment[0], end: wave.segment[1], drag: false, resize: this.editable,
      color: SEGMENT_COLOR, minLength: wave.min_duration,
    });
  }

  // Keep the edges between the neighbours and the segment at least min_duration long.
  clamped(start, end) {
    const { limits, min_duration: shortest, duration } = this.wave;
    const low = Math.max(limits[0], 0);
    const high = Math.min(limits[1], duration);
    return [Math.min(Math.max(start, low), end - shortest), Math.max(Math.min(end, high), start + shortest)];
  }

  dragged(side) {
    const { wave, region } = this;
    const edge = side === "start" || side === "end" ? side : null;
    const [start, end] = this.clamped(region.start, region.end);
    const shown = [start, end];
    if (edge === "start") shown[0] = snap(start, wave.pauses, wave.snap_seconds, wave.inset_seconds);
    if (edge === "end") shown[1] = snap(end, wave.pauses, wave.snap_seconds, wave.inset_seconds);
    const [low, high] = this.clamped(shown[0], shown[1]);
    region.setOptions({ start: low, end: high });
    // The server snaps the raw drop the same way, with the same pauses.
    this.onBounds(this.absolute(start), this.absolute(end), edge);
  }

  // Move an edge by keys (exact steps, no snapping); returns the new bounds in recording time.
  step(edge, seconds) {
    if (!this.region || !this.editable) return null;
    const start = this.region.start + (edge === "start" ? seconds : 0);
    const end = this.region.end + (edge === "end" ? seconds : 0);
    const [low, high] = this.clamped(start, end);
    this.region.setOptions({ start: low, end: high });
    return [this.absolute(low), this.absolute(high)];
  }

  absolute(seconds) {
    return Math.round((this.wave.window_start + seconds) * 1000) / 1000;
  }

  destroy() {
    this.ws.destroy();
  }
}

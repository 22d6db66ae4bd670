// Labor telemetry (speechlabel/core/labor.py): per segment, the seconds the person was active,
// the keys pressed in the loop, the edits (input events that changed the text) and the plays of
// the clip. Sent with the save (or the skip) and counted again from zero; a refused save gives its
// counts back, so they go with the next one.
//
// Active = the page is visible and focused, and the person did something (a key, the mouse, the
// clip playing) within IDLE_MS. 30 s: a segment is an utterance of a few seconds, and listening
// to it twice and reading the draft takes well under that, so a longer stillness is someone away;
// a walk-away then costs at most 30 s of counted time, not the whole break. What happens while
// the next segment is on its way counts for that segment, once it shows.
export const IDLE_MS = 30_000;
const TICK_MS = 250;
const MAX_STEP_MS = 1_000; // a throttled timer (background tab) never adds more than this at once

// Outlives a mount, like the text typed per segment.
const counts = new Map();

function fresh() {
  return { activeMs: 0, keys: 0, edits: 0, plays: 0 };
}

export class Labor {
  // `current()`: the id of the segment shown (null while one is on its way); `playing()`: the
  // clip is playing.
  constructor(current, playing) {
    this.current = current;
    this.playing = playing;
    this.lastActivity = -Infinity;
    this.lastTick = performance.now();
    this.waiting = fresh(); // counted while no segment is shown: the next one's
    this.timer = window.setInterval(() => this.tick(), TICK_MS);
  }

  of(id) {
    if (!id) return this.waiting;
    let entry = counts.get(id);
    if (!entry) {
      entry = fresh();
      counts.set(id, entry);
    }
    return entry;
  }

  activity() {
    this.lastActivity = performance.now();
  }

  tick() {
    const now = performance.now();
    const step = Math.min(now - this.lastTick, MAX_STEP_MS);
    this.lastTick = now;
    if (this.playing()) this.lastActivity = now;
    const present = document.visibilityState === "visible" && document.hasFocus();
    if (present && now - this.lastActivity < IDLE_MS) this.of(this.current()).activeMs += step;
  }

  key() { this.activity(); this.of(this.current()).keys += 1; }
  edit() { this.of(this.current()).edits += 1; }
  play() { this.activity(); this.of(this.current()).plays += 1; }

  // A segment shows: what was counted while it was on its way is its own.
  shown(id) {
    const entry = this.of(id);
    for (const name of Object.keys(entry)) entry[name] += this.waiting[name];
    this.waiting = fresh();
  }

  // The counts to send with a save, as the route takes them; the segment starts again from zero.
  take(id) {
    const entry = counts.get(id) || fresh();
    counts.delete(id);
    return { active_seconds: Math.round(entry.activeMs) / 1000, keys: entry.keys, edits: entry.edits,
             plays: entry.plays };
  }

  // A save that did not land: its counts go with the next.
  giveBack(id, sent) {
    if (!sent) return;
    const entry = this.of(id);
    entry.activeMs += sent.active_seconds * 1000;
    entry.keys += sent.keys;
    entry.edits += sent.edits;
    entry.plays += sent.plays;
  }

  stop() {
    window.clearInterval(this.timer);
  }
}

// The label loop: the focused segment (player, waveform, draft with unsure words marked,
// transcript editor, speaker and tag keys, Save & next) as one component that talks to the
// app's JSON routes (views/label_api.py) instead of rerunning the Streamlit page per save.
//
// Safe by construction: what is typed is kept per segment id (`edits`), the editor names the
// segment it shows (data-segment), and every request names the segment and version it is
// about. A switch of segment happens in one synchronous step (store the old text, write the new
// one, move the caret), so a key typed after Ctrl+Enter lands in the segment that opened.
// Fast: the upcoming segment's card and audio are fetched while the person works on this one,
// so Ctrl+Enter shows it at once and the save travels in the background; a refused save brings
// the person back to that segment with its text and the reason.
import { ApiError, makeApi } from "./api.js";
import { CommandPanel } from "./commands.js";
import { composing, hotkeyOf, toPoints, toUnits } from "./keys.js";
import { Labor } from "./labor.js";
import { Wave } from "./wave.js";
import { buildView, clock, element, format, renderDraft, renderHelp } from "./view.js";

const SPEEDS = [0.5, 0.75, 1, 1.25, 1.5, 2];
const SPEED_KEY = "speechlabel.playbackRate"; // shared with the review page's player
const KEEP_AFTER_MS = 1200; // what is typed reaches the server this long after the last key
const LINT_AFTER_MS = 500;
const STEP_SETTLE_MS = 450; // boundary key steps in a row are saved once
const NUDGE_SECONDS = 0.05;
const MAX_AUDIO_URLS = 6;
const PREFETCH_DEPTH = 2; // cards fetched ahead of the one shown
const PREFETCH_FRESH_MS = 120_000; // an older prefetched card is read again

// What must outlive a mount (Streamlit may mount the component afresh): the text typed per
// segment, and per project the segment open and the last jump applied.
const edits = new Map();
const lastOpen = new Map();
const appliedJump = new Map();
let active = null;

function storedSpeed() {
  const value = parseFloat(window.localStorage.getItem(SPEED_KEY) || "1");
  return SPEEDS.includes(value) ? value : 1;
}

class LabelLoop {
  constructor(parent, data) {
    this.data = data;
    this.view = buildView(parent, data);
    this.api = makeApi(data.api, data.lang, (count) => { this.view.root.dataset.pending = String(count); });
    this.card = null;
    this.loading = false;
    this.trip = 0;
    // What the person did while a segment was on its way, in order: text typed for it, Backspaces
    // past that text (into the segment's own), and the keys that act (Ctrl+Enter, Alt+P, speaker
    // keys…), replayed on the segments as they open. Text is typed into the box itself, emptied
    // while loading, so an input method composes there as usual (Hangul); a key that acts first
    // takes the box's text into this queue.
    this.pending = [];
    this.shownAfterComposition = null; // a card that arrived while the person was composing
    this.prefetched = new Map(); // id -> {at, card: Promise<card | null>}
    this.audioUrls = new Map(); // clip URL -> object URL
    this.timers = {};
    this.audio = this.view.audio;
    this.audio.playbackRate = storedSpeed();
    this.wave = new Wave(this.view.wave, this.audio, (start, end, edge) => this.sendBounds(start, end, edge));
    this.labor = new Labor(() => (this.card && !this.loading ? this.card.id : null), () => !this.audio.paused);
    // A command project: the panel of its vocabulary, above the editor (which holds the label).
    this.commands = data.command_mode
      ? new CommandPanel(this.view.root, this.view.box, data, (label) => this.pickCommand(label))
      : null;
    this.wire();
  }

  // --- opening segments ------------------------------------------------------------------------

  applyJump(mount) {
    const project = mount.project_id;
    if (appliedJump.get(project) === mount.nonce) {
      if (!this.card && !this.loading) this.openSegment(lastOpen.get(project) || mount.open);
      return;
    }
    appliedJump.set(project, mount.nonce);
    const jump = () => (mount.open ? this.openSegment(mount.open) : this.showDone());
    // A pick made while a segment is on its way comes after what was typed before it.
    if (this.loading) this.later(jump);
    else jump();
  }

  async openSegment(id) {
    const before = this.card;
    this.leave();
    const trip = this.startLoading();
    try {
      const card = await this.api.open(id);
      if (trip === this.trip) this.show(card);
    } catch (error) {
      if (trip === this.trip) this.failed(error, before);
    }
  }

  leave() {
    const { box } = this.view;
    // A syllable being composed is committed to the segment it was typed in (a blur ends the
    // composition); the caret stays in the box for what is typed next. (The loop lives in a
    // shadow root: document.activeElement is its host, not the box.)
    if (this.card && this.composingNow && box.getRootNode().activeElement === box) {
      box.blur();
      box.focus({ preventScroll: true });
    }
    if (this.card) this.flushKeep(this.card.id);
  }

  // Every move to another segment is a trip; an answer that arrives after a later trip began
  // (a pick in the list while a save was on its way) is not shown: the later one wins, as the
  // server's open segment does (the requests reach it in the same order).
  startLoading() {
    this.trip += 1;
    this.loading = true;
    this.shownAfterComposition = null;
    const { box, root } = this.view;
    box.dataset.segment = "";
    box.value = ""; // from here the box holds what is typed for the segment on its way
    box.readOnly = false;
    root.dataset.shown = "";
    return this.trip;
  }

  // Show a card: one synchronous step from the old segment's editor to this one's.
  show(card) {
    const { box, root } = this.view;
    if (this.composingNow) {
      this.shownAfterComposition = card; // replacing the box's text would cut the syllable in two
      return;
    }
    if (this.loading) this.takeTyped(); // typed while it was on its way: its text, after the queue
    if (this.card && this.card.id !== card.id) this.flushKeep(this.card.id);
    if (!this.card || this.card.id !== card.id) this.view.comment.value = ""; // a comment goes with one save
    this.card = card;
    this.loading = false;
    this.labor.shown(card.id);
    lastOpen.set(card.project_id, card.id);
    const edit = this.editOf(card);
    box.readOnly = false;
    box.value = edit.text;
    box.dataset.segment = card.id;
    this.prefetched.delete(card.id); // shown: a later visit reads it afresh
    this.renderCard();
    box.focus({ preventScroll: true });
    box.setSelectionRange(box.value.length, box.value.length);
    root.dataset.shown = card.id;
    this.loadAudio(card);
    this.prefetch(card.upcoming, PREFETCH_DEPTH);
    this.scheduleLint();
    this.replayPending();
  }

  // Keys typed while this segment was on its way: its text, then whatever they asked next (a
  // save starts loading again, and the rest waits for the segment after).
  replayPending() {
    const { box } = this.view;
    while (this.pending.length && !this.loading && this.card) {
      const item = this.pending.shift();
      if (item.text !== undefined || item.backspace) {
        box.value = item.backspace ? Array.from(box.value).slice(0, -1).join("") : box.value + item.text;
        box.setSelectionRange(box.value.length, box.value.length);
        this.typed();
      } else {
        item.action();
      }
    }
  }

  // While loading, an action waits its turn, after the text typed before it.
  later(action) {
    this.takeTyped();
    this.pending.push({ action });
  }

  takeTyped() {
    const { box } = this.view;
    if (box.value) this.pending.push({ text: box.value });
    box.value = "";
  }

  // While loading, a Backspace in the emptied box deletes from the segment's own text, on arrival.
  queueBackspace(event) {
    const { box } = this.view;
    if (event.key !== "Backspace" || box.value || event.ctrlKey || event.altKey || event.metaKey) return false;
    this.pending.push({ backspace: true });
    return true;
  }

  showDone() {
    this.card = null;
    this.loading = false;
    const { root, box } = this.view;
    box.value = "";
    box.dataset.segment = "";
    box.readOnly = true;
    root.classList.add("done");
    this.view.done.textContent = this.data.texts.all_done;
    root.dataset.shown = "done";
  }

  // A new version of the open segment after the person's own change (bounds): the editor keeps
  // its text; the header, waveform and version follow.
  refresh(card) {
    if (!this.card || card.id !== this.card.id) return;
    const edit = edits.get(card.id);
    if (edit) edit.version = card.version;
    this.card = card;
    this.renderCard();
    this.loadAudio(card);
  }

  editOf(card) {
    let edit = edits.get(card.id);
    if (!edit) {
      edit = { text: card.text, speaker: card.speaker, tags: [...card.tags], comment: "", version: card.version,
               dirty: false };
      edits.set(card.id, edit);
    }
    return edit;
  }

  failed(error, back) {
    this.pending = []; // typed for a segment that did not open: never into another
    this.view.box.value = "";
    this.message(error instanceof ApiError ? error.message : this.data.texts.offline, "error");
    if (back) this.show(back);
    else this.showDone();
  }

  // --- prefetch and audio ----------------------------------------------------------------------

  // The upcoming segments' cards (and, in the background, their audio), `depth` ahead: when
  // Ctrl+Enter comes, the next one is there to show at once.
  prefetch(id, depth) {
    if (!id || depth < 1 || (this.card && id === this.card.id)) return;
    const known = this.prefetched.get(id);
    if (known && Date.now() - known.at < PREFETCH_FRESH_MS) {
      known.card.then((card) => card && this.prefetch(card.upcoming, depth - 1));
      return;
    }
    this.expect(id, this.api.peek(id), depth);
  }

  // A card on its way (a peek, or the card a save brings along): when it comes, its audio is
  // fetched and the prefetch goes on from it; a card that does not come is forgotten, so a later
  // visit asks again.
  expect(id, fetching, depth) {
    const entry = { at: Date.now(), card: null, value: undefined };
    entry.card = fetching.then((fetched) => {
      if (!fetched) throw new Error("no card");
      entry.value = fetched;
      this.audioUrl(fetched.wave ? fetched.wave.url : fetched.clip_url).catch(() => {});
      this.prefetch(fetched.upcoming, depth - 1);
      return fetched;
    }).catch(() => {
      entry.value = null;
      if (this.prefetched.get(id) === entry) this.prefetched.delete(id);
      return null;
    });
    this.prefetched.set(id, entry);
    while (this.prefetched.size > PREFETCH_DEPTH + 2) this.prefetched.delete(this.prefetched.keys().next().value);
  }

  // The segment whose card the prefetch would ask for next once `id` is shown: the first one,
  // `depth` ahead of it, not known yet. Undefined while a card on the way hides what comes after.
  missingAhead(id, depth) {
    let at = id;
    for (let left = depth; at && left >= 1; left -= 1) {
      const known = this.prefetched.get(at);
      if (!known || Date.now() - known.at >= PREFETCH_FRESH_MS) return at;
      if (!known.value) return undefined;
      at = known.value.upcoming;
    }
    return undefined;
  }

  upcomingCard(id) {
    const known = id && this.prefetched.get(id);
    return known && Date.now() - known.at < PREFETCH_FRESH_MS ? known.card : undefined;
  }

  async audioUrl(url) {
    if (this.audioUrls.has(url)) return this.audioUrls.get(url);
    const response = await fetch(url, { credentials: "same-origin" });
    if (!response.ok) return url;
    const local = URL.createObjectURL(await response.blob());
    this.audioUrls.set(url, local);
    while (this.audioUrls.size > MAX_AUDIO_URLS) {
      const [oldest, objectUrl] = this.audioUrls.entries().next().value;
      URL.revokeObjectURL(objectUrl);
      this.audioUrls.delete(oldest);
    }
    return local;
  }

  loadAudio(card) {
    const url = card.wave ? card.wave.url : card.clip_url;
    const source = this.audioUrls.get(url) || url;
    this.segmentSpan = card.wave ? card.wave.segment : [0, card.end - card.start];
    if (card.wave) {
      this.view.wave.hidden = false;
      this.wave.show(card.wave, source, card.bounds_editable);
    } else {
      this.view.wave.hidden = true;
      this.audio.src = source;
    }
    this.audio.playbackRate = storedSpeed();
    this.audio.currentTime = this.segmentSpan[0];
    if (this.data.autoplay) this.playSegment();
  }

  playSegment() {
    const [start, end] = this.segmentSpan;
    if (this.audio.currentTime < start || this.audio.currentTime >= end - 0.02) this.audio.currentTime = start;
    this.audio.play().catch(() => {});
    const stopAtEnd = () => {
      if (this.audio.paused) return;
      if (this.audio.currentTime >= this.segmentSpan[1]) this.audio.pause();
      else window.requestAnimationFrame(stopAtEnd);
    };
    window.requestAnimationFrame(stopAtEnd);
  }

  playPause() {
    if (this.audio.paused) this.playSegment();
    else this.audio.pause();
  }

  replay() {
    this.audio.currentTime = this.segmentSpan[0];
    this.playSegment();
  }

  stepSpeed(step) {
    const index = SPEEDS.indexOf(this.audio.playbackRate);
    const next = SPEEDS[Math.min(SPEEDS.length - 1, Math.max(0, (index < 0 ? 2 : index) + step))];
    this.audio.playbackRate = next;
    window.localStorage.setItem(SPEED_KEY, String(next));
    this.renderSpeed();
  }

  // --- typing ----------------------------------------------------------------------------------

  typed() {
    const { box } = this.view;
    const id = box.dataset.segment;
    if (!this.card || id !== this.card.id) return; // the editor shows no segment (loading)
    const edit = this.editOf(this.card);
    edit.text = box.value;
    this.changed(id);
    this.scheduleLint();
  }

  changed(id) {
    const edit = edits.get(id);
    if (!edit) return;
    edit.dirty = true;
    window.clearTimeout(this.timers.keep);
    this.timers.keep = window.setTimeout(() => this.flushKeep(id), KEEP_AFTER_MS);
  }

  flushKeep(id, keepalive = false) {
    const edit = edits.get(id);
    if (!edit || !edit.dirty) return;
    edit.dirty = false;
    this.api.change("keep", { segment_id: id, version: edit.version, text: edit.text, speaker: edit.speaker,
                              tags: edit.tags }, keepalive).catch((error) => {
      if (keptFor(error) && keptFor(error) !== id) this.keptElsewhere(id, error);
      else edit.dirty = true; // not kept: it stays unsaved here and goes with the next keep
    });
  }

  // The server kept the text of segment `id` for another segment: a merge absorbed `id`, and the
  // text is the person's text against the merge on the segment that absorbed it. The editor
  // goes there, where it shows as a conflict; text typed for `id` since goes there too.
  keptElsewhere(id, error) {
    const edit = edits.get(id);
    if (edit && edit.dirty) {
      this.flushKeep(id); // typed on meanwhile: that copy replaces this one there
      return;
    }
    const into = keptFor(error);
    edits.delete(id);
    const theirs = edits.get(into);
    if (theirs && !theirs.dirty) edits.delete(into); // the server's copy holds this text too
    this.prefetched.delete(into);
    if (this.card && this.card.id === id && !this.loading) this.openSegment(into);
    this.message(error.message, "error");
  }

  body(card) {
    const edit = this.editOf(card);
    return { segment_id: card.id, version: card.version, text: edit.text, speaker: edit.speaker, tags: edit.tags,
             comment: this.view.comment.value || null };
  }

  // --- Save & next -----------------------------------------------------------------------------

  async save() {
    if (!this.card || this.loading) return;
    const card = this.card;
    window.clearTimeout(this.timers.keep);
    const body = this.body(card);
    body.labor = this.labor.take(card.id); // the segment's telemetry since its last save
    edits.get(card.id).dirty = false; // the save carries the text; no keep may follow it
    this.prefetched.delete(card.id); // saved: its card is old now
    // The upcoming segment is known now (its card may still be on its way): the save names it,
    // and goes before anything asked later (a pick in the list, the next segment's keys).
    if (card.upcoming) body.then_open = card.upcoming;
    // The card the prefetch would ask for once the next one shows comes back with the save: one
    // request per segment fewer for the server.
    const upcoming = card.upcoming && this.prefetched.get(card.upcoming);
    const ahead = upcoming && upcoming.value ? this.missingAhead(upcoming.value.upcoming, PREFETCH_DEPTH) : undefined;
    if (ahead && ahead !== card.id) body.prefetch = ahead;
    const request = this.api.change("save", body);
    if (body.prefetch) this.expect(ahead, request.then((answer) => answer.prefetched), 1);
    const waiting = this.upcomingCard(card.upcoming);
    const trip = this.startLoading();
    let next = null;
    if (card.upcoming) next = (waiting && (await waiting)) || (await this.api.open(card.upcoming).catch(() => null));
    if (next && trip === this.trip) this.show(next);
    let saved;
    try {
      saved = await request;
    } catch (error) {
      this.labor.giveBack(card.id, body.labor);
      this.saveRefused(card, error);
      return;
    }
    this.saved(card, body, saved);
    if (!card.upcoming && trip === this.trip) {
      if (saved.next) this.show(saved.next);
      else this.showDone();
    } else if (!next && trip === this.trip) {
      this.failed(new Error(this.data.texts.offline), card);
    }
  }

  saved(card, body, saved) {
    const edit = edits.get(card.id);
    // Typed on in that segment since (back on it with Alt+P): keep that, on the new version.
    if (edit && (edit.dirty || edit.text !== body.text)) edit.version = saved.version;
    else edits.delete(card.id);
    this.message(format(this.data.texts.saved, { position: card.position + 1, recording: card.recording }), "ok");
  }

  // The save did not land: back to that segment, its text as typed, and why. Keys typed for
  // later segments meanwhile are dropped rather than risk them landing in this one. The text
  // counts as kept only when the server says where (`kept_for`); else it stays unsaved here and
  // goes to the server with the next keep. Kept for another segment (a merge absorbed this one):
  // that segment opens, showing the text as a conflict with the merge.
  async saveRefused(card, error) {
    this.pending = [];
    if (this.card && this.card.id !== card.id) this.leave();
    const into = keptFor(error);
    const edit = edits.get(card.id);
    if (edit) edit.dirty = !into;
    if (into && into !== card.id) {
      edits.delete(card.id);
      const theirs = edits.get(into);
      if (theirs && !theirs.dirty) edits.delete(into);
      this.prefetched.delete(into);
    }
    this.startLoading();
    try {
      this.show(await this.api.open(into || card.id));
    } catch (reopen) {
      this.show(card);
    }
    if (edit && edit.dirty && this.card && this.card.id === card.id) this.changed(card.id);
    this.message(error instanceof ApiError ? error.message : this.data.texts.offline, "error");
  }

  async previous() {
    if (!this.card || this.loading) return;
    const card = this.card;
    this.leave();
    const trip = this.startLoading();
    try {
      const answer = await this.api.change("previous", { segment_id: card.id });
      if (trip !== this.trip) return;
      if (answer.card) this.show(answer.card);
      else {
        this.show(card);
        this.message(this.data.texts.no_previous, "info");
      }
    } catch (error) {
      if (trip === this.trip) this.failed(error, card);
    }
  }

  // --- changes of the open segment -------------------------------------------------------------

  // Split, merge, set aside, discard: the server answers with the card to show next.
  async move(name, extra, forget) {
    if (!this.card || this.loading) return;
    const card = this.card;
    window.clearTimeout(this.timers.keep);
    const body = { ...this.body(card), ...extra };
    const trip = this.startLoading();
    try {
      const answer = await this.api.change(name, body);
      for (const id of forget) edits.delete(id);
      if (trip !== this.trip) return answer;
      if (answer.card) this.show(answer.card);
      else this.showDone();
      return answer;
    } catch (error) {
      if (trip === this.trip) this.failed(error, card);
      else this.message(error instanceof ApiError ? error.message : this.data.texts.offline, "error");
      return null;
    }
  }

  async split(atCaret) {
    if (!this.card || !this.card.bounds_editable) return;
    const { box } = this.view;
    const extra = atCaret ? { caret: toPoints(box.value, box.selectionStart) }
      : { at: Math.round((this.cardStart() + this.audio.currentTime) * 1000) / 1000 };
    const answer = await this.move("split", extra, [this.card.id]);
    if (answer) this.message(format(this.data.texts.split_done, { seconds: answer.seconds.toFixed(3) }), "ok");
  }

  cardStart() {
    return this.card.wave ? this.card.wave.window_start : this.card.start;
  }

  async merge() {
    const following = this.card && this.card.following;
    if (!following || !this.card.bounds_editable) return;
    const answer = await this.move("merge", { next_id: following.id, next_version: following.version },
                                   [this.card.id, following.id]);
    if (answer) this.message(this.data.texts.merged, "ok");
  }

  setAside(untranscribable) {
    if (!this.card || (untranscribable && this.card.second_labeling)) return;
    const { aside } = this.view;
    aside.form.hidden = false;
    aside.form.dataset.kind = untranscribable ? "untranscribable" : "skip";
    aside.title.textContent = untranscribable ? this.data.texts.untranscribable : this.data.texts.skip;
    aside.reason.value = "";
    aside.reason.focus();
  }

  async confirmAside() {
    const { aside } = this.view;
    const untranscribable = aside.form.dataset.kind === "untranscribable";
    const reason = aside.reason.value;
    aside.form.hidden = true;
    const id = this.card.id;
    const labor = this.labor.take(id);
    const answer = await this.move("set-aside", { reason, untranscribable, labor }, [id]);
    if (answer) this.message(format(this.data.texts.set_aside, { reason }), "ok");
    else this.labor.giveBack(id, labor);
  }

  closeAside() {
    this.view.aside.form.hidden = true;
    this.view.box.focus();
  }

  discard() {
    return this.move("discard", {}, [this.card.id]);
  }

  continueMine() {
    const edit = this.editOf(this.card);
    const conflict = this.card.conflict;
    if (conflict && edit.version >= this.card.version) {
      // The editor holds their text (opened afresh): the person's own comes from the server's copy.
      edit.text = conflict.mine_text;
      edit.speaker = conflict.mine_speaker;
      edit.tags = [...conflict.mine_tags];
      this.view.box.value = edit.text;
      this.renderChoices();
    }
    edit.version = this.card.version;
    this.changed(this.card.id);
    this.flushKeep(this.card.id);
    this.view.conflict.hidden = true;
    this.view.box.focus();
  }

  nudge(edge, seconds) {
    const bounds = this.card && this.card.wave && this.wave.step(edge, seconds);
    if (!bounds) return;
    window.clearTimeout(this.timers.steps);
    const id = this.card.id;
    this.timers.steps = window.setTimeout(() => {
      if (this.card && this.card.id === id) this.sendBounds(bounds[0], bounds[1], null);
    }, STEP_SETTLE_MS);
    this.pendingBounds = bounds;
    this.view.bounds.textContent = `${clock(bounds[0])}–${clock(bounds[1])}`;
  }

  async sendBounds(start, end, edge) {
    if (!this.card) return;
    const card = this.card;
    try {
      const answer = await this.api.change("bounds", { ...this.body(card), start, end, edge });
      this.refresh(answer.card);
      this.message(format(this.data.texts.bounds_saved, { start: clock(answer.card.start),
                                                          end: clock(answer.card.end) }), "ok");
    } catch (error) {
      this.message(error instanceof ApiError ? error.message : this.data.texts.offline, "error");
      if (this.card && this.card.id === card.id) this.refresh(card);
    }
  }

  // --- conventions -----------------------------------------------------------------------------

  async insertTag(tag) {
    if (!this.card) return;
    const { box } = this.view;
    const id = this.card.id;
    const text = box.value;
    const start = toPoints(text, box.selectionStart);
    const end = toPoints(text, box.selectionEnd);
    try {
      const inserted = await this.api.read("insert", { segment_id: id, text, tag, start, end });
      if (box.dataset.segment !== id || box.value !== text) return; // typed on meanwhile: not applied
      box.value = inserted.text;
      const caret = toUnits(inserted.text, inserted.caret);
      box.focus();
      box.setSelectionRange(caret, caret);
      this.typed();
    } catch (error) {
      this.message(error.message, "error");
    }
  }

  scheduleLint() {
    window.clearTimeout(this.timers.lint);
    if (this.commands) return; // a class label, not a transcript: the convention's lint has no say
    this.timers.lint = window.setTimeout(() => this.lint(), LINT_AFTER_MS);
  }

  async lint() {
    if (!this.card || this.composingNow) return;
    const { box } = this.view;
    const id = this.card.id;
    const text = box.value;
    try {
      const found = await this.api.read("lint", { segment_id: id, text });
      if (box.dataset.segment === id && box.value === text) this.renderLint(found, id, text);
    } catch (error) {
      // lint is advice; the save says the same if the project blocks on errors
    }
  }

  applyFix(id, text, fixed) {
    const { box } = this.view;
    if (box.dataset.segment !== id || box.value !== text) return;
    box.value = fixed;
    box.focus();
    this.typed();
  }

  toggleSpeaker(name) {
    if (!this.card) return;
    const edit = this.editOf(this.card);
    edit.speaker = edit.speaker === name ? null : name;
    this.changed(this.card.id);
    this.renderChoices();
  }

  toggleTag(name) {
    if (!this.card) return;
    const edit = this.editOf(this.card);
    edit.tags = edit.tags.includes(name) ? edit.tags.filter((tag) => tag !== name) : [...edit.tags, name];
    this.changed(this.card.id);
    this.renderChoices();
  }

  // --- commands (a command project) ------------------------------------------------------------

  // The label goes into the editor and is saved by Save & next: one path for every save.
  pickCommand(label) {
    if (!this.card) return;
    const { box } = this.view;
    box.value = label;
    this.typed();
    this.save();
  }

  confirmCommand() {
    const command = this.card && this.card.command;
    if (command && command.label) this.pickCommand(command.label);
    else this.message(this.data.texts.command_outside, "error");
  }

  commandAction(key, event) {
    if (this.commands.inFilter(event)) {
      const action = this.commands.keyInFilter(event.key.startsWith("Arrow") ? event.key : key,
                                               () => this.view.box.focus());
      if (action) return action;
    }
    const classes = Object.fromEntries(this.data.classes.map((c) => [c.hotkey, c.label]));
    if (classes[key] !== undefined) return () => this.pickCommand(classes[key]);
    if (key === "Alt+Enter") return () => this.confirmCommand();
    if (key === "Alt+K") return () => this.commands.focus();
    return null;
  }

  // --- keys ------------------------------------------------------------------------------------

  onKey(event) {
    const mine = event.composedPath().includes(this.view.root);
    if (mine && !["Shift", "Control", "Alt", "Meta"].includes(event.key)) this.labor.key();
    if (composing(event)) return; // Enter that confirms an IME candidate never submits
    const key = hotkeyOf(event);
    if (this.loading && mine && this.queueBackspace(event)) {
      event.preventDefault();
      event.stopPropagation();
      return;
    }
    const action = this.actionFor(key, event, mine);
    if (!action) return;
    event.preventDefault();
    event.stopPropagation();
    if (this.loading && mine) this.later(action); // for the segment on its way
    else action();
  }

  actionFor(key, event, mine) {
    const command = this.commands && mine ? this.commandAction(key, event) : null;
    if (command) return command;
    const inAside = !this.view.aside.form.hidden && event.composedPath().includes(this.view.aside.form);
    if (key === "Ctrl+Enter" || key === "Meta+Enter" || (inAside && key === "Enter")) {
      return inAside ? () => this.confirmAside() : () => this.save();
    }
    if (key === "Escape" && mine) {
      if (inAside) return () => this.closeAside();
      if (!this.view.help.hidden) return () => { this.view.help.hidden = true; };
      return () => this.playPause();
    }
    const typing = typingElsewhere(event);
    if (!mine && typing) return null; // a field of the page around: its keys are its own
    if (key === "Shift+/" && !typing) return () => { this.view.help.hidden = !this.view.help.hidden; };
    const digit = /^Alt\+(Shift\+)?([1-9])$/.exec(key || "");
    if (digit) {
      const list = digit[1] ? this.data.tags : this.data.speakers;
      const name = list[Number(digit[2]) - 1];
      return name === undefined ? null : () => (digit[1] ? this.toggleTag(name) : this.toggleSpeaker(name));
    }
    const tag = this.data.hotkeys[key];
    if (tag !== undefined) return () => this.insertTag(tag);
    return this.keyActions()[key] || null;
  }

  keyActions() {
    return {
      "Alt+P": () => this.previous(),
      "Alt+R": () => this.replay(),
      "Alt+,": () => this.stepSpeed(-1),
      "Alt+.": () => this.stepSpeed(1),
      "Alt+[": () => this.nudge("start", -NUDGE_SECONDS),
      "Alt+]": () => this.nudge("start", NUDGE_SECONDS),
      "Alt+Shift+[": () => this.nudge("end", -NUDGE_SECONDS),
      "Alt+Shift+]": () => this.nudge("end", NUDGE_SECONDS),
      "Alt+Shift+S": () => this.split(true),
      "Alt+Shift+A": () => this.split(false),
      "Alt+Shift+M": () => this.merge(),
      "Alt+Shift+K": () => this.setAside(false),
      "Alt+Shift+U": () => this.setAside(true),
      F1: () => { this.view.help.hidden = !this.view.help.hidden; },
    };
  }

  // --- drawing ---------------------------------------------------------------------------------

  renderCard() {
    const { card, view } = this;
    const texts = this.data.texts;
    view.root.classList.remove("done");
    view.done.textContent = "";
    view.title.textContent = format(texts.heading, { recording: card.recording, position: card.position + 1,
                                                   total: card.recording_segments });
    const savedBy = card.updated_by ? format(texts.saved_by, { user: card.updated_by }) : "";
    view.caption.textContent = format(texts.timing, {
      start: clock(card.start), end: clock(card.end), seconds: (card.end - card.start).toFixed(2),
      status: card.second_labeling ? texts.second_labeling_state : card.status_label, version: card.version,
      saved_by: savedBy,
    });
    view.bounds.textContent = `${clock(card.start)}–${clock(card.end)}`;
    this.renderNotes();
    renderDraft(view.draft, card.draft, texts, this.data.low_confidence);
    view.waveError.textContent = card.wave_error || "";
    view.waveError.hidden = !card.wave_error;
    view.box.setAttribute("aria-label", texts.transcript);
    this.renderChoices();
    if (this.commands) this.commands.render(card, this.editOf(card).text);
    this.renderSpeed();
    view.lint.replaceChildren();
    view.merge.disabled = !card.following || !card.bounds_editable;
    view.splitCaret.disabled = !card.bounds_editable;
    view.untranscribable.hidden = card.second_labeling;
  }

  renderNotes() {
    const { card, view } = this;
    const texts = this.data.texts;
    view.notes.replaceChildren();
    if (card.second_labeling) element("div", "note info", view.notes, texts.second_labeling);
    if (card.rejection) {
      const r = card.rejection;
      element("div", "note error", view.notes, format(texts.rejected, {
        reviewer: r.reviewer, when: r.when, reason: r.reason || texts.no_reason,
        note: r.comment ? ` — “${r.comment}”` : "" }));
    }
    const edit = edits.get(card.id);
    const conflict = card.conflict || (edit && edit.version < card.version && edit.text !== card.saved_text
      ? { theirs_by: card.updated_by, mine_text: edit.text, base_version: edit.version } : null);
    view.conflict.hidden = !conflict;
    if (conflict) {
      view.conflictText.textContent = format(texts.conflict, { who: conflict.theirs_by || texts.someone,
                                                               version: card.version, base: conflict.base_version });
      view.theirs.textContent = card.saved_text || texts.empty;
      // Typed in this page on an older version: the editor's text; else the server's copy of it.
      const typedHere = edit && edit.version < card.version;
      view.mine.textContent = (typedHere || !card.conflict ? edit.text : conflict.mine_text) || texts.empty;
    }
    if (card.restored_at && !conflict) {
      const note = element("div", "note info", view.notes, format(texts.restored, { when: card.restored_at.slice(0, 16).replace("T", " ") }));
      const button = element("button", "inline", note, texts.discard);
      button.tabIndex = -1;
      button.onclick = () => this.discard();
    }
  }

  renderChoices() {
    const { view, card } = this;
    const edit = this.editOf(card);
    const texts = this.data.texts;
    view.speakerCaption.textContent = format(texts.speaker, { speaker: edit.speaker || texts.no_speaker });
    view.speakers.replaceChildren();
    const speakers = [...this.data.speakers];
    if (edit.speaker && !speakers.includes(edit.speaker)) speakers.push(edit.speaker);
    speakers.forEach((name, index) => {
      const button = element("button", name === edit.speaker ? "chip active" : "chip", view.speakers,
                             index < 9 ? `${name} · Alt+${index + 1}` : name);
      button.tabIndex = -1;
      button.onclick = () => { this.toggleSpeaker(name); view.box.focus(); };
    });
    view.tags.replaceChildren();
    const tags = [...this.data.tags, ...edit.tags.filter((tag) => !this.data.tags.includes(tag))];
    tags.forEach((name, index) => {
      const on = edit.tags.includes(name);
      const button = element("button", on ? "chip active" : "chip", view.tags,
                             index < 9 ? `${name} · Alt+Shift+${index + 1}` : name);
      button.tabIndex = -1;
      button.setAttribute("aria-pressed", String(on));
      button.onclick = () => { this.toggleTag(name); view.box.focus(); };
    });
  }

  renderLint(found, id, text) {
    const { lint } = this.view;
    lint.replaceChildren();
    for (const problem of found.problems) {
      const line = element("div", problem.error ? "problem error" : "problem warning", lint,
                           `${problem.start}: ${problem.message}`);
      if (problem.suggestion) element("span", "suggestion", line, ` → ${problem.suggestion}`);
    }
    if (found.fixed !== null && found.fixed !== undefined) {
      const button = element("button", "inline", lint, this.data.texts.fix);
      button.tabIndex = -1;
      button.onclick = () => this.applyFix(id, text, found.fixed);
    }
  }

  renderSpeed() {
    this.view.speed.textContent = `${this.audio.playbackRate}×`;
  }

  message(text, kind) {
    const { messages } = this.view;
    messages.textContent = text;
    messages.className = `messages ${kind}`;
  }

  wire() {
    const { view } = this;
    view.box.addEventListener("input", () => { this.labor.edit(); this.typed(); });
    this.audio.addEventListener("play", () => this.labor.play());
    for (const kind of ["pointerdown", "pointermove", "wheel"]) {
      view.root.addEventListener(kind, () => this.labor.activity(), { passive: true });
    }
    view.box.addEventListener("compositionstart", () => { this.composingNow = true; });
    view.box.addEventListener("compositionend", () => {
      this.composingNow = false;
      const waiting = this.shownAfterComposition;
      this.shownAfterComposition = null;
      if (waiting) this.show(waiting);
      else this.scheduleLint();
    });
    view.box.addEventListener("blur", () => { if (this.card) this.flushKeep(this.card.id); });
    view.save.onclick = () => this.save();
    view.previous.onclick = () => this.previous();
    view.skip.onclick = () => this.setAside(false);
    view.untranscribable.onclick = () => this.setAside(true);
    view.splitCaret.onclick = () => this.split(true);
    view.merge.onclick = () => this.merge();
    view.helpButton.onclick = () => { view.help.hidden = !view.help.hidden; };
    view.play.onclick = () => this.playPause();
    view.replay.onclick = () => this.replay();
    view.slower.onclick = () => this.stepSpeed(-1);
    view.faster.onclick = () => this.stepSpeed(1);
    view.aside.go.onclick = () => this.confirmAside();
    view.aside.cancel.onclick = () => this.closeAside();
    view.continueMine.onclick = () => this.continueMine();
    view.continueTheirs.onclick = () => { view.conflict.hidden = true; this.discard(); };
    view.schemeTags.querySelectorAll("button").forEach((node) => {
      node.onclick = () => this.insertTag(node.dataset.tag);
    });
    // A click on a button of the loop leaves the caret (and its selection) in the text box.
    view.root.addEventListener("mousedown", (event) => {
      if (event.target instanceof HTMLButtonElement) event.preventDefault();
    });
    renderHelp(view.help, this.data);
  }

  // The page left for good: what is typed goes to the server (a request that outlives the page).
  unmount() {
    if (this.card) this.flushKeep(this.card.id, true);
    this.wave.destroy();
    this.labor.stop();
    for (const objectUrl of this.audioUrls.values()) URL.revokeObjectURL(objectUrl);
  }
}

// The segment whose unsaved edit the server kept a refused request's text as (views/label_api.py).
function keptFor(error) {
  return error instanceof ApiError && error.body.kept_for ? error.body.kept_for : null;
}

function typingElsewhere(event) {
  const target = event.composedPath()[0];
  return target instanceof HTMLElement &&
    (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName));
}

document.addEventListener("keydown", (event) => {
  if (active && active.view.root.isConnected) active.onKey(event);
}, true);
// A reload or a closed tab: what is typed goes to the server in a request that outlives the page.
window.addEventListener("pagehide", () => {
  if (active && active.card) active.flushKeep(active.card.id, true);
});

function connected(parentElement) {
  return (parentElement.host || parentElement).isConnected;
}

export default function (component) {
  const { data, parentElement } = component;
  let loop = parentElement.__speechlabelLoop;
  if (!loop) {
    loop = new LabelLoop(parentElement, data);
    parentElement.__speechlabelLoop = loop;
  }
  loop.data = { ...loop.data, autoplay: data.autoplay };
  active = loop;
  loop.applyJump(data.mount);
  // Streamlit calls this again after a rerun that keeps the component: only a mount that has
  // really left the page is taken down.
  return () => window.setTimeout(() => {
    if (connected(parentElement)) return;
    loop.unmount();
    if (active === loop) active = null;
  }, 0);
}

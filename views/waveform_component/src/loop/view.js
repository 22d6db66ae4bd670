// The label loop's elements. Every text a person or the server wrote goes in as textContent,
// never as HTML: a transcript is shown as plain text, whatever characters it holds.

export function element(tag, className, parent, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  if (parent) parent.appendChild(node);
  return node;
}

// "{name}" placeholders of the catalogs' texts (no formatting directives are used in them).
export function format(template, values) {
  return String(template || "").replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));
}

export function clock(seconds) {
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds - hours * 3600) / 60);
  const rest = (seconds - hours * 3600 - minutes * 60).toFixed(3).padStart(6, "0");
  return hours ? `${hours}:${String(minutes).padStart(2, "0")}:${rest}` : `${minutes}:${rest}`;
}

function button(parent, text, className = "") {
  const node = element("button", className, parent, text);
  node.type = "button";
  node.tabIndex = -1; // Tab stays in the text box's neighbourhood; every button has a key
  return node;
}

export function buildView(parent, data) {
  const t = data.texts;
  const root = element("div", "sl-loop", parent);
  root.dataset.shown = "";
  root.dataset.pending = "0";
  const head = element("div", "head", root);
  const view = {
    root,
    title: element("h3", "title", head),
    caption: element("div", "caption", head),
    notes: element("div", "notes", root),
    messages: element("div", "messages", root),
    done: element("div", "done-text", root),
  };
  const player = element("div", "player", root);
  view.play = button(player, "▶ / ❚❚");
  view.play.title = t.play;
  view.replay = button(player, "↺");
  view.replay.title = t.replay;
  view.slower = button(player, "−");
  view.slower.title = t.slower;
  view.speed = element("span", "speed", player);
  view.faster = button(player, "+");
  view.faster.title = t.faster;
  view.bounds = element("span", "bounds", player);
  view.audio = element("audio", "", player);
  view.audio.preload = "auto";
  view.wave = element("div", "wave", root);
  view.waveError = element("div", "note", root);
  view.draft = element("div", "draft", root);
  view.box = element("textarea", "sl-editor", root);
  view.box.rows = 4;
  view.box.spellcheck = false;
  view.box.setAttribute("aria-label", t.transcript);
  view.schemeTags = element("div", "row scheme-tags", root);
  view.lint = element("div", "lint", root);
  view.speakerCaption = element("div", "caption", root);
  view.speakers = element("div", "row", root);
  element("div", "caption", root, t.segment_tags);
  view.tags = element("div", "row", root);
  view.comment = element("input", "comment", root);
  view.comment.placeholder = t.comment;
  view.comment.setAttribute("aria-label", t.comment);
  view.comment.maxLength = 1000;
  const actions = element("div", "row actions", root);
  view.save = button(actions, `${t.save_next} · Ctrl+Enter`, "primary");
  view.previous = button(actions, `${t.previous} · Alt+P`);
  view.skip = button(actions, `${t.skip} · Alt+Shift+K`);
  view.untranscribable = button(actions, `${t.untranscribable} · Alt+Shift+U`);
  view.splitCaret = button(actions, `${t.split_caret} · Alt+Shift+S`);
  view.merge = button(actions, `${t.merge} · Alt+Shift+M`);
  view.helpButton = button(actions, `? ${t.help} · F1`);
  view.aside = buildAside(root, t);
  view.conflict = element("div", "conflict", root);
  view.conflict.hidden = true;
  view.conflictText = element("div", "note warning", view.conflict);
  const columns = element("div", "columns", view.conflict);
  const theirs = element("div", "column", columns);
  element("strong", "", theirs, t.theirs);
  view.theirs = element("pre", "text", theirs);
  view.continueTheirs = button(theirs, t.continue_theirs);
  const mine = element("div", "column", columns);
  element("strong", "", mine, t.mine);
  view.mine = element("pre", "text", mine);
  view.continueMine = button(mine, t.continue_mine, "primary");
  view.help = element("div", "help", root);
  view.help.hidden = true;
  schemeButtons(view, data);
  return view;
}

function buildAside(root, t) {
  const form = element("div", "aside", root);
  form.hidden = true;
  const aside = { form, title: element("strong", "", form) };
  aside.reason = element("input", "reason", form);
  aside.reason.placeholder = t.reason;
  aside.reason.setAttribute("aria-label", t.reason);
  aside.reason.maxLength = 500;
  aside.go = button(form, `${t.go} · Enter`, "primary");
  aside.cancel = button(form, `${t.cancel} · Esc`);
  return aside;
}

// The scheme's transcript tags: a click inserts at the caret, like the hotkey.
function schemeButtons(view, data) {
  for (const tag of data.scheme_tags) {
    const node = button(view.schemeTags, tag.hotkey ? `${tag.label} · ${tag.hotkey}` : tag.label, "chip");
    node.title = tag.meaning || "";
    node.dataset.tag = tag.text;
  }
}

export function renderDraft(node, draft, texts, threshold) {
  node.replaceChildren();
  if (!draft) {
    element("span", "muted", node, texts.no_draft);
    return;
  }
  element("b", "", node, texts.draft);
  element("small", "muted", node, ` ${format(texts.draft_note, { model: draft.model, count: draft.low_count,
                                                                  threshold })}`);
  element("br", "", node);
  if (!draft.words.length) {
    element("span", "", node, draft.text);
    return;
  }
  draft.words.forEach((word, index) => {
    if (index) node.appendChild(document.createTextNode(" "));
    const span = element(word.low ? "mark" : "span", "", node, word.symbol.trim());
    if (word.low) span.title = format(texts.confidence, { score: word.score.toFixed(2) });
  });
}

export function renderHelp(node, data) {
  node.replaceChildren();
  element("strong", "", node, data.texts.keys_title);
  const list = element("dl", "", node);
  for (const [keys, meaning] of data.help) {
    element("dt", "", list, keys);
    element("dd", "", list, meaning);
  }
}

// The command panel of a command project's label loop: the command the draft says (or a mark
// that the draft is outside the vocabulary), a filter box over the vocabulary and the built-in
// classes, and the list itself. A pick does not save by itself: it hands the label to the loop
// (`onPick`), which writes it into the editor and saves through the ordinary Save & next, so the
// save names its segment and version like every other.
import { element, format } from "./view.js";

export class CommandPanel {
  constructor(root, before, data, onPick) {
    this.data = data;
    this.onPick = onPick;
    this.node = element("div", "commands", null);
    root.insertBefore(this.node, before);
    this.proposal = element("div", "proposal", this.node);
    this.filter = element("input", "command-filter", this.node);
    this.filter.placeholder = `${data.texts.command_filter} · Alt+K`;
    this.filter.setAttribute("aria-label", data.texts.command_filter);
    this.list = element("div", "command-list", this.node);
    this.list.setAttribute("role", "listbox");
    this.highlight = 0;
    this.filter.addEventListener("input", () => { this.highlight = 0; this.renderList(); });
    // Every choice: the commands, then unknown and silence (their keys work without the list).
    this.choices = [
      ...data.commands.map((c) => ({ label: c.label, shown: c.label, variants: c.variants })),
      ...data.classes.map((c) => ({ label: c.label, shown: `${c.name} · ${c.hotkey}`, variants: [] })),
    ];
  }

  render(card, chosen) {
    this.card = card;
    this.chosen = chosen;
    const texts = this.data.texts;
    const command = card.command || {};
    this.proposal.replaceChildren();
    this.node.dataset.outside = String(Boolean(command.outside));
    this.node.dataset.proposed = command.label || "";
    if (command.label) {
      element("span", "", this.proposal, format(texts.command_proposed, { label: command.label }));
      element("small", "muted", this.proposal, ` (${command.how}, ${command.score.toFixed(2)}) · Alt+Enter`);
    } else if (command.outside) {
      element("mark", "outside", this.proposal, texts.command_outside);
    } else {
      element("span", "muted", this.proposal, texts.command_no_draft);
    }
    this.filter.value = "";
    // The proposed command starts highlighted: Alt+K, Enter confirms it as Alt+Enter does.
    this.highlight = Math.max(0, this.choices.findIndex((c) => c.label === command.label));
    this.renderList();
  }

  // The choices whose label or variants hold the filter's text (case and spaces ignored).
  shown() {
    const needle = fold(this.filter.value);
    if (!needle) return this.choices;
    return this.choices.filter((c) => [c.label, c.shown, ...c.variants].some((form) => fold(form).includes(needle)));
  }

  renderList() {
    this.list.replaceChildren();
    this.shown().forEach((choice, index) => {
      const on = choice.label === this.chosen;
      const item = element("button", on ? "chip active" : "chip", this.list, choice.shown);
      item.type = "button";
      item.tabIndex = -1;
      item.dataset.label = choice.label;
      item.setAttribute("role", "option");
      item.setAttribute("aria-selected", String(index === this.highlight));
      if (index === this.highlight) item.classList.add("highlight");
      if (choice.variants.length) item.title = choice.variants.join(" · ");
      item.onclick = () => this.onPick(choice.label);
    });
  }

  focus() {
    this.filter.focus();
    this.filter.select();
  }

  inFilter(event) {
    return event.composedPath().includes(this.filter);
  }

  // Keys while the filter box has the focus: arrows move, Enter picks, Escape goes back.
  keyInFilter(key, backToEditor) {
    if (key === "ArrowDown" || key === "ArrowUp") {
      return () => {
        const count = this.shown().length;
        if (count) this.highlight = (this.highlight + (key === "ArrowDown" ? 1 : count - 1)) % count;
        this.renderList();
      };
    }
    if (key === "Enter") {
      return () => {
        const choice = this.shown()[this.highlight];
        if (choice) this.onPick(choice.label);
      };
    }
    if (key === "Escape") return backToEditor;
    return null;
  }
}

function fold(text) {
  return String(text || "").normalize("NFC").toLowerCase().replace(/\s+/g, "");
}

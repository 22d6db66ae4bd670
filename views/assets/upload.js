// The projects page's audio upload: each chosen file is sent as the body of its own request to
// the app's upload route (views/upload_api.py), one file after another, so the browser streams
// it from disk and the server writes it to disk as it arrives: nothing holds a whole file in
// memory. XMLHttpRequest rather than fetch: only it reports how much of a body was sent, and it
// streams a File body just the same. A line per file says where it is; at the end the answers go
// back to Streamlit (the trigger "done"), which shows the import reports and reruns the page.
//
// File names are user text: they only ever go into textContent.

function format(template, params) {
  return template.replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));
}

function tabId() {
  if (!window.__speechlabelUploadTab) {
    window.__speechlabelUploadTab = "upload-" + Math.random().toString(36).slice(2) + Date.now().toString(36);
  }
  return window.__speechlabelUploadTab;
}

function megabytes(bytes) {
  return (bytes / 2 ** 20).toFixed(0);
}

// One file to the route; resolves with {name, status, body} (status 0: no answer).
function send(data, file, line) {
  return new Promise((resolve) => {
    const request = new XMLHttpRequest();
    request.open("POST", `${data.url}?name=${encodeURIComponent(file.name)}`);
    request.setRequestHeader("X-Speechlabel-Tab", tabId());
    request.setRequestHeader("X-Speechlabel-Lang", data.lang);
    request.setRequestHeader("Content-Type", "application/octet-stream");
    request.upload.onprogress = (event) => {
      if (!event.lengthComputable) return;
      const percent = Math.floor((100 * event.loaded) / event.total);
      line.textContent = format(data.texts.sending, { name: file.name, percent });
    };
    request.upload.onload = () => {
      line.textContent = format(data.texts.importing, { name: file.name });
    };
    request.onload = () => {
      let body = null;
      try {
        body = JSON.parse(request.responseText);
      } catch (error) {
        body = null;
      }
      resolve({ name: file.name, status: request.status, body });
    };
    request.onerror = () => resolve({ name: file.name, status: 0, body: null });
    request.send(file);
  });
}

function answerLine(data, answer) {
  if (answer.status === 200) return format(data.texts.finished, { name: answer.name });
  // Sent and looked at, but not imported (empty, not audio, ...): the page says why below.
  if (answer.status === 400 && answer.body && answer.body.failures) {
    return format(data.texts.refused, { name: answer.name });
  }
  const reason = answer.body && answer.body.error ? answer.body.error : data.texts.offline;
  return format(data.texts.stopped, { name: answer.name, reason });
}

async function uploadAll(root, data, files, setTriggerValue) {
  const lines = root.querySelector(".lines");
  lines.replaceChildren();
  const rows = files.map((file) => {
    const line = document.createElement("div");
    line.className = "line";
    line.textContent = format(data.texts.waiting, { name: file.name });
    lines.append(line);
    return line;
  });
  const answers = [];
  for (const [index, file] of files.entries()) {
    const line = rows[index];
    if (file.size > data.most_bytes) {
      // The route would refuse it (413) before reading it; say so without sending gigabytes.
      const params = { name: file.name, megabytes: megabytes(file.size), most: megabytes(data.most_bytes) };
      const error = format(data.texts.too_big, params);
      line.textContent = error;
      answers.push({ name: file.name, status: 413, body: { error } });
      continue;
    }
    const answer = await send(data, file, line);
    line.textContent = answerLine(data, answer);
    if (answer.status !== 200 && !(answer.body && answer.body.error)) {
      answer.body = { error: data.texts.offline };
    }
    answers.push(answer);
  }
  setTriggerValue("done", { answers });
}

function build(parentElement, data) {
  const root = document.createElement("div");
  root.className = "speechlabel-upload";
  const label = document.createElement("label");
  label.className = "pick";
  label.textContent = data.texts.pick;
  const input = document.createElement("input");
  input.type = "file";
  input.multiple = true;
  input.accept = data.accept;
  label.append(input);
  const button = document.createElement("button");
  button.type = "button";
  button.className = "send";
  button.disabled = true;
  const lines = document.createElement("div");
  lines.className = "lines";
  lines.setAttribute("aria-live", "polite");
  root.append(label, button, lines);
  parentElement.append(root);
  return { root, input, button };
}

export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  let view = parentElement.__speechlabelUpload;
  if (!view) {
    view = build(parentElement, data);
    parentElement.__speechlabelUpload = view;
    view.input.addEventListener("change", () => {
      view.button.disabled = view.busy || view.input.files.length === 0;
    });
    view.button.addEventListener("click", async () => {
      const files = [...view.input.files];
      if (!files.length || view.busy) return;
      view.busy = true;
      view.button.disabled = true;
      view.input.disabled = true;
      try {
        await uploadAll(view.root, view.data, files, view.setTriggerValue);
      } finally {
        view.busy = false;
        view.input.value = "";
        view.input.disabled = false;
      }
    });
  }
  view.data = data;
  view.setTriggerValue = setTriggerValue;
  view.button.textContent = data.texts.send;
}

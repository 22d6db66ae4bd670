// The label loop's routes (views/label_api.py). Every request carries the tab's id (a custom
// header, which a cross-site page cannot send) and the reader's language; the session cookie
// goes along by itself. Changes go through one queue, in the order the person made them, so the
// server always sees a save after the opening of the segment it names.
//
// The tab's id is made once per page load, not kept in sessionStorage: a duplicated tab copies
// sessionStorage, and two tabs under one id would refuse each other's saves.
const TAB_ID = (crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random()}`).slice(0, 40);

export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.error) || `HTTP ${status}`);
    this.status = status;
    this.body = body || {};
  }
}

export function makeApi(base, lang, onBusy) {
  const tab = TAB_ID;
  let queue = Promise.resolve();
  let pending = 0;

  async function request(method, path, body, keepalive = false) {
    pending += 1;
    onBusy(pending);
    try {
      const response = await fetch(`${base}${path}`, {
        method,
        credentials: "same-origin",
        keepalive,
        headers: { "Content-Type": "application/json", "X-Speechlabel-Tab": tab, "X-Speechlabel-Lang": lang },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      let payload = null;
      try { payload = await response.json(); } catch (error) { payload = null; }
      if (!response.ok) throw new ApiError(response.status, payload);
      return payload;
    } finally {
      pending -= 1;
      onBusy(pending);
    }
  }

  // Runs after every change asked for before it, whether that one worked or not.
  function inOrder(method, path, body, keepalive) {
    const run = queue.then(() => request(method, path, body, keepalive));
    queue = run.catch(() => {});
    return run;
  }

  return {
    tab,
    open: (id) => inOrder("GET", `/open/${encodeURIComponent(id)}`),
    peek: (id) => request("GET", `/peek/${encodeURIComponent(id)}`),
    change: (name, body, keepalive = false) => inOrder("POST", `/${name}`, body, keepalive),
    read: (name, body) => request("POST", `/${name}`, body),
  };
}

// The label loop's routes (views/label_api.py). Every request carries the tab's id (a custom
// header, which a cross-site page cannot send) and the reader's language; the session cookie
// goes along by itself. Changes go through one queue, in the order the person made them, so the
// server always sees a save after the opening of the segment it names.
//
// The tab's id is made once per page load, not kept in sessionStorage: a duplicated tab copies
// sessionStorage, and two tabs under one id would refuse each other's saves.
const TAB_ID = (crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random()}`).slice(0, 40);

// How long after the loop mounted a 401 is retried (see request), and how often.
const SIGN_IN_GRACE_MS = 5000;
const RETRY_AFTER_401_MS = 200;

export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.error) || `HTTP ${status}`);
    this.status = status;
    this.body = body || {};
  }
}

export function makeApi(base, lang, onBusy) {
  const tab = TAB_ID;
  const made = performance.now(); // the loop mounts right after a sign-in
  let queue = Promise.resolve();
  let pending = 0;

  function send(method, path, body, keepalive) {
    return fetch(`${base}${path}`, {
      method,
      credentials: "same-origin",
      keepalive,
      headers: { "Content-Type": "application/json", "X-Speechlabel-Tab": tab, "X-Speechlabel-Lang": lang },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  }

  async function request(method, path, body, keepalive = false) {
    pending += 1;
    onBusy(pending);
    try {
      let response = await send(method, path, body, keepalive);
      // Just after a sign-in, the page's cookie component may write the new session cookie a
      // moment after this component's first request: a 401 then is that race, not a signed-out
      // person. The server checks the session before anything else, so a retry repeats nothing.
      while (response.status === 401 && performance.now() - made < SIGN_IN_GRACE_MS) {
        await new Promise((resolve) => setTimeout(resolve, RETRY_AFTER_401_MS));
        response = await send(method, path, body, keepalive);
      }
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

/* Sending the outbox: one entry at a time, in the order they were made, each kept until the
 * server confirmed it. Used by the pages and by the service worker (Background Sync).
 *
 * An entry is POSTed to its form's URL as multipart FormData with its own idempotency token
 * (made when it was put in the outbox, kept across retries), `Accept: application/json`,
 * `X-CSRFToken` (fetched fresh from /field/offline/csrf/) and `X-Requested-With: outbox`.
 *   201 / 200  confirmed (200: a replay of a token the server already saved): leaves the outbox;
 *   400 / 409  a rule failed, or the token was used otherwise: "needs your attention";
 *   403        refused: a fresh CSRF token is tried once, then "needs your attention";
 *   401        the session is gone: the entry waits for the same person to log in again;
 *   anything else, or no answer: the entry waits, and sending is tried again with backoff.
 * A Web Lock makes sure only one page or worker sends at a time.
 */
(function (root) {
  "use strict";
  var FO = root.FieldOffline = root.FieldOffline || {};
  var store = FO.store;
  var LOCK = "haiti-esc-outbox-send";
  var CSRF_URL = "/field/offline/csrf/";
  var SEND_TIMEOUT = 90000; // a photo over slow mobile data
  // A dropped connection is often a moment's loss: tried again at once, then after a short
  // wait; after that many failures in a row the page's timer backs off (2 s, 4 s, … 5 min).
  var QUICK_DELAYS = [0, 100, 300, 1000];
  var channel = root.BroadcastChannel ? new root.BroadcastChannel("haiti-esc-outbox") : null;
  var listeners = [];

  function announce(what) {
    var message = { type: "outbox", what: what || "changed" };
    if (channel) { channel.postMessage(message); }
    listeners.forEach(function (fn) { try { fn(message); } catch (e) { /* a listener's own error */ } });
  }
  if (channel) {
    channel.onmessage = function (event) {
      listeners.forEach(function (fn) { try { fn(event.data); } catch (e) { /* ignored */ } });
    };
  }

  function sleep(ms) { return new Promise(function (resolve) { setTimeout(resolve, ms); }); }

  var BUSY = { result: "busy", sent: 0, attention: 0 };

  function withLock(fn) {
    if (root.navigator && root.navigator.locks) {
      return root.navigator.locks.request(LOCK, { ifAvailable: true }, function (lock) {
        return lock ? fn() : BUSY; // another page or the service worker is sending
      });
    }
    if (FO._sending) { return Promise.resolve(BUSY); }
    FO._sending = true;
    return Promise.resolve().then(fn).finally(function () { FO._sending = false; });
  }

  function timedFetch(url, options, ms) {
    var controller = new AbortController();
    var timer = setTimeout(function () { controller.abort(); }, ms);
    options.signal = controller.signal;
    return fetch(url, options).finally(function () { clearTimeout(timer); });
  }

  function readJson(response) {
    var type = response.headers.get("Content-Type") || "";
    if (type.indexOf("json") < 0) { return Promise.resolve(null); }
    return response.json().catch(function () { return null; });
  }

  /** The FormData of an entry, as the form would have sent it, with the entry's own token. */
  function formDataOf(entry) {
    var data = new FormData();
    entry.fields.forEach(function (pair) {
      // The page's CSRF token would be checked before the header's fresh one, and it is stale
      // once the person logged in again (tokens rotate at login).
      if (pair[0] !== "token" && pair[0] !== "csrfmiddlewaretoken") { data.append(pair[0], pair[1]); }
    });
    (entry.files || []).forEach(function (file) {
      if (file.blob) { data.append(file.name, file.blob, file.filename || "photo.jpg"); }
    });
    data.set("token", entry.token);
    return data;
  }

  function csrf() {
    return timedFetch((FO.config && FO.config.csrfUrl) || CSRF_URL, {
      credentials: "same-origin",
      cache: "no-store",
      headers: { Accept: "application/json", "X-Requested-With": "outbox" },
      redirect: "manual",
    }, 20000).then(function (response) {
      if (response.status === 401 || response.type === "opaqueredirect") { return { login: true }; }
      if (!response.ok) { throw new Error("csrf " + response.status); }
      return response.json().then(function (body) {
        return { token: body.csrf_token, user: String(body.user) };
      });
    });
  }

  function post(entry, token) {
    return timedFetch(entry.url, {
      method: "POST",
      body: formDataOf(entry),
      credentials: "same-origin",
      cache: "no-store",
      redirect: "manual",
      headers: { Accept: "application/json", "X-CSRFToken": token, "X-Requested-With": "outbox" },
    }, SEND_TIMEOUT).then(function (response) {
      return readJson(response).then(function (body) { return { status: response.status, type: response.type, body: body }; });
    });
  }

  function errorsOf(body, fallback) {
    if (body && body.errors) { return body.errors; }
    if (body && body.detail) { return { __all__: [body.detail] }; }
    return { __all__: [fallback] };
  }

  /** The session is gone: the entries wait for the same person to log in again (the page says so). */
  function loggedOut(user) {
    return user ? store.setMeta("needsLogin:" + user, Date.now()) : Promise.resolve();
  }

  /**
   * Send the waiting entries of the signed-in user (the server says who), in order.
   * Resolves to a summary: {result: "done"|"offline"|"login"|"busy"|"error", sent, attention}.
   * `options.user`: the person the page belongs to (told "log in again" when the session is gone);
   * `options.only` stops after that entry's outcome is known; `options.quick: false`, no quick retries.
   */
  function flush(options) {
    options = options || {};
    return withLock(function () {
      var summary = { result: "done", sent: 0, attention: 0, user: null };
      var failures = 0;
      function signedIn(tries) {
        return csrf().catch(function (error) {
          if (tries >= QUICK_DELAYS.length || options.quick === false) { throw error; }
          return sleep(QUICK_DELAYS[tries]).then(function () { return signedIn(tries + 1); });
        });
      }
      return store.setMeta("sendingSince", Date.now()).then(function () {
        return signedIn(0);
      }).then(function (session) {
        if (session.login) {
          summary.result = "login";
          return loggedOut(options.user);
        }
        summary.user = session.user;
        var token = session.token;
        var csrfRetried = false;
        return store.setMeta("needsLogin:" + session.user, null).then(function () {
          return store.entries(session.user);
        }).then(function (entries) {
          var queue = entries.filter(function (e) { return e.state === "waiting" || e.state === "sending"; });
          function next() {
            if (!queue.length) { return null; }
            var entry = queue[0];
            return store.update(entry.id, { state: "sending", lastTriedAt: Date.now() }).then(function (current) {
              if (!current) { queue.shift(); return next(); } // discarded meanwhile
              announce("sending");
              return post(current, token).then(function (answer) {
                var status = answer.status;
                if (status === 200 || status === 201) {
                  queue.shift();
                  failures = 0;
                  summary.sent += 1;
                  return store.confirm(current, answer.body).then(function () {
                    return store.setMeta("lastSentAt:" + current.user, Date.now());
                  }).then(function () {
                    announce("sent");
                    if (options.only === current.id) { summary.outcome = { sent: true, result: answer.body }; return null; }
                    return next();
                  });
                }
                if (status === 401) {
                  summary.result = "login";
                  return store.update(current.id, { state: "waiting" }).then(function () {
                    return loggedOut(options.user || session.user);
                  });
                }
                if (status === 403 && !csrfRetried) {
                  csrfRetried = true;
                  return store.update(current.id, { state: "waiting" }).then(csrf).then(function (again) {
                    if (again.login) { summary.result = "login"; return null; }
                    token = again.token;
                    return next();
                  });
                }
                if (status === 400 || status === 409 || status === 403 || status === 404 || status === 413) {
                  queue.shift();
                  summary.attention += 1;
                  var message = status === 413
                    ? gettext("The photo is too large for the server.")
                    : gettext("The server refused this entry.");
                  return store.update(current.id, {
                    state: "attention",
                    errors: errorsOf(answer.body, message),
                    status: status,
                    // A token refused as used otherwise cannot be sent again: a corrected
                    // entry gets a new one.
                    tokenSpent: status === 409,
                  }).then(function () {
                    announce("attention");
                    if (options.only === current.id) { summary.outcome = { attention: true }; return null; }
                    return next();
                  });
                }
                throw new Error("status " + status);
              }).catch(function (error) {
                // No answer, or an answer that says nothing: the entry waits; quick retries first.
                failures += 1;
                return store.update(current.id, {
                  state: "waiting",
                  attempts: (current.attempts || 0) + 1,
                  lastError: String(error && error.message || error),
                }).then(function () {
                  announce("waiting");
                  if (failures > QUICK_DELAYS.length || options.quick === false) {
                    summary.result = "offline";
                    return null;
                  }
                  return sleep(QUICK_DELAYS[failures - 1]).then(next);
                });
              });
            });
          }
          return next();
        });
      }).catch(function () {
        summary.result = "offline";
      }).then(function () {
        return store.setMeta("sendingSince", null);
      }).then(function () {
        announce("idle");
        return summary;
      });
    });
  }

  /** Counts of the user's entries by state. */
  function counts(user) {
    return store.entries(user).then(function (entries) {
      var c = { waiting: 0, sending: 0, attention: 0, total: entries.length };
      entries.forEach(function (e) { c[e.state] = (c[e.state] || 0) + 1; });
      c.unsent = entries.length;
      return c;
    });
  }

  // Django's JavaScript catalogue (/jsi18n/) where loaded; the service worker has none.
  function gettext(msgid) { return root.gettext ? root.gettext(msgid) : msgid; }

  FO.outbox = {
    LOCK: LOCK,
    flush: flush,
    counts: counts,
    formDataOf: formDataOf,
    announce: announce,
    onChange: function (fn) { listeners.push(fn); },
  };
})(self);

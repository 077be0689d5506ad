/* Offline field entry on the field pages (started by register.js).
 *
 * - The service worker (/field/sw.js) is registered; a new version takes over only when no entry
 *   is being sent (it waits for the outbox's lock), and never touches the outbox.
 * - A field form's submit (or draft) is checked here for what the browser can check (required
 *   fields, numbers, dates between 27 March 2014 and today, the site's remaining area as last
 *   known), then put in the outbox with a fresh idempotency token and its photo shrunk
 *   (≤ 1600 px, JPEG). Online, it is sent at once and the record's page opens; otherwise the
 *   page says it is saved on this phone, and it is sent later, by itself.
 * - The field home shows the outbox: each entry's kind, date and state, the last sent, and
 *   entries that need attention, to correct and send again or to discard.
 * - The lists the forms need are kept on the phone and refreshed whenever online.
 * - The outbox belongs to the person who made it: another person logging in on the same phone
 *   sees none of it, and it is sent only once the server says the same person is signed in.
 */
(function () {
  "use strict";
  var FO = window.FieldOffline;
  var store = FO.store;
  var outbox = FO.outbox;
  var PAGES = "field-pages";
  var FIRST_DAY = "2014-03-27"; // the ILO-CVR partnership was signed on 27 March 2014
  var MAX_SIDE = 1600;
  var LIST_REFRESH = 2 * 60 * 1000;
  var WARM_AGAIN = 6 * 60 * 60 * 1000;
  var ONLINE_WAIT = 15000;
  var FORM_PATH = /^\/field\/(sessions|businesses|jobs|services|work)\/(new|\d+\/edit)\/$/;
  var SUMMARY_FIELDS = {
    sessions: ["forum", "kind", "held_on"],
    businesses: ["name", "activity"],
    jobs: ["role", "worker", "start_date"],
    services: ["kind", "delivered_on", "participants"],
    work: ["site", "completed_area_m2", "date"],
  };

  function gettext(msgid) { return window.gettext ? window.gettext(msgid) : msgid; }
  function ngettext(singular, plural, n) {
    return window.ngettext ? window.ngettext(singular, plural, n) : (n === 1 ? singular : plural);
  }
  function interpolate(format, values, named) {
    if (window.interpolate) { return window.interpolate(format, values, named); }
    if (named) { return format.replace(/%\(\w+\)s/g, function (m) { return String(values[m.slice(2, -2)]); }); }
    var i = 0;
    return format.replace(/%s/g, function () { return String(values[i++]); });
  }

  function kindLabel(kind) {
    return {
      sessions: gettext("Forum session"),
      businesses: gettext("Business"),
      jobs: gettext("Job"),
      services: gettext("ESC service"),
      work: gettext("Work record"),
    }[kind] || kind;
  }

  function stateLabel(state) {
    return {
      waiting: gettext("Waiting"),
      sending: gettext("Sending"),
      sent: gettext("Sent"),
      attention: gettext("Needs your attention"),
    }[state] || state;
  }

  var body = document.body;
  var user = body.dataset.userId || "";
  var lang = document.documentElement.lang || "fr";
  var dataUrl = body.dataset.offlineData || "/field/offline/data.json";
  var workerUrl = body.dataset.serviceWorker || "/field/sw.js";
  var started = false;
  var lists = null;
  var sending = false;

  function when(ts) {
    if (!ts) { return ""; }
    try {
      return new Date(ts).toLocaleString(lang, { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" });
    } catch (e) {
      return new Date(ts).toLocaleString();
    }
  }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === "text") { node.textContent = attrs[key]; } else { node.setAttribute(key, attrs[key]); }
    });
    (children || []).forEach(function (child) {
      if (child) { node.appendChild(typeof child === "string" ? document.createTextNode(child) : child); }
    });
    return node;
  }

  function today() {
    var d = new Date();
    return d.getFullYear() + "-" + String(d.getMonth() + 1).padStart(2, "0") + "-" + String(d.getDate()).padStart(2, "0");
  }

  /* ---------- the person's caches ---------- */

  /** Pages and lists hold personal data: cleared at logout and when someone else logs in. */
  function clearPersonal() {
    return Promise.all([
      window.caches ? caches.delete(PAGES) : null,
      store.clearLists(),
      store.setMeta("warmedAt", null),
    ]).then(function () { lists = null; });
  }

  function checkOwner() {
    return store.meta("owner").then(function (owner) {
      if (owner === user) { return false; }
      return clearPersonal().then(function () { return store.setMeta("owner", user); }).then(function () { return true; });
    });
  }

  function loadLists() {
    return store.lists(user).then(function (record) { lists = record || null; return lists; });
  }

  function refreshLists(force) {
    if (!navigator.onLine) { return loadLists(); }
    return loadLists().then(function (record) {
      if (!force && record && Date.now() - record.fetchedAt < LIST_REFRESH) { return record; }
      return fetch(dataUrl, {
        credentials: "same-origin", cache: "no-store", redirect: "manual",
        headers: { Accept: "application/json" },
      }).then(function (response) {
        if (!response.ok || response.type !== "basic") { return record; }
        return response.json().then(function (data) {
          if (String(data.user) !== user) { return record; }
          return store.saveLists(data).then(function (saved) { lists = saved; return saved; });
        });
      }).catch(function () { return record; });
    });
  }

  /* ---------- the service worker ---------- */

  function ask(worker, message, ms) {
    return new Promise(function (resolve) {
      var channel = new MessageChannel();
      var timer = setTimeout(function () { resolve(null); }, ms || 30000);
      channel.port1.onmessage = function (event) { clearTimeout(timer); resolve(event.data); };
      worker.postMessage(message, [channel.port2]);
    });
  }

  function pagesCached() {
    if (!window.caches) { return Promise.resolve(false); }
    return caches.open(PAGES).then(function (cache) { return cache.keys(); }).then(function (keys) {
      var paths = keys.map(function (request) { return new URL(request.url).pathname; });
      return ["/field/", "/field/work/new/", "/field/jobs/new/", "/field/sessions/new/",
        "/field/businesses/new/", "/field/services/new/"].every(function (p) { return paths.indexOf(p) >= 0; });
    });
  }

  /** A waiting version takes over when no entry is being sent (it holds the outbox's lock). */
  function promote(worker) { worker.postMessage({ type: "activate-when-idle" }); }

  function watchUpdates(registration) {
    if (registration.waiting && navigator.serviceWorker.controller) { promote(registration.waiting); }
    registration.addEventListener("updatefound", function () {
      var worker = registration.installing;
      if (!worker) { return; }
      worker.addEventListener("statechange", function () {
        if (worker.state === "installed" && navigator.serviceWorker.controller) { promote(worker); }
      });
    });
  }

  function registerWorker(ownerChanged) {
    if (!navigator.serviceWorker) { return Promise.resolve(false); }
    return navigator.serviceWorker.register(workerUrl, { scope: "/field/" }).then(function (registration) {
      watchUpdates(registration);
      if (navigator.onLine && location.pathname === "/field/") { registration.update().catch(function () {}); }
      return navigator.serviceWorker.ready;
    }).then(function (registration) {
      return Promise.all([pagesCached(), store.meta("warmedAt")]).then(function (found) {
        var fresh = found[0] && found[1] && Date.now() - found[1] < WARM_AGAIN;
        if ((fresh && !ownerChanged) || !navigator.onLine || !registration.active) { return found[0]; }
        return ask(registration.active, { type: "warm" }, 60000).then(function (answer) {
          if (answer && answer.warmed) { return store.setMeta("warmedAt", Date.now()).then(pagesCached); }
          return pagesCached();
        });
      });
    }).catch(function () { return false; });
  }

  FO.workerVersion = function () {
    if (!navigator.serviceWorker || !navigator.serviceWorker.controller) { return Promise.resolve(null); }
    return ask(navigator.serviceWorker.controller, { type: "version" }, 5000).then(function (a) { return a && a.version; });
  };

  /* ---------- sending ---------- */

  var failures = 0;
  var timer = null;
  /** The last things the sending did, for whoever looks into a problem (the tests print it). */
  FO.log = [];
  function log(what) {
    FO.log.push(new Date().toISOString().slice(11, 23) + " " + what);
    if (FO.log.length > 100) { FO.log.shift(); }
  }

  function schedule(ms) {
    clearTimeout(timer);
    timer = setTimeout(run, ms);
  }

  function run() {
    if (!user) { return Promise.resolve(null); }
    return outbox.counts(user).then(function (c) {
      if (!(c.waiting + c.sending)) { schedule(60000); return null; }
      if (!navigator.onLine) { log("run: offline"); schedule(60000); return null; } // `online` comes first
      sending = true;
      render();
      log("run: flush " + (c.waiting + c.sending));
      return outbox.flush({ user: user }).then(function (summary) {
        log("flush: " + summary.result + " sent " + summary.sent + " attention " + summary.attention);
        sending = false;
        if (summary.result === "busy") {
          schedule(2000);
        } else if (summary.result === "offline") {
          failures = summary.sent ? 1 : failures + 1; // some got through: the network is there
          var wait = Math.min(2000 * Math.pow(2, failures - 1), 5 * 60 * 1000);
          schedule(wait * (0.8 + Math.random() * 0.4));
        } else if (summary.result === "login") {
          failures = 0;
          schedule(60000);
        } else {
          failures = 0;
          schedule(summary.sent || summary.attention ? 500 : 60000);
        }
        if (summary.sent) { refreshLists(true).then(render); }
        render();
        return summary;
      });
    });
  }

  function sendNow() { failures = 0; clearTimeout(timer); return run(); }

  function needsLoginKey() { return "needsLogin:" + user; }

  /* ---------- the form ---------- */

  function fieldOf(form, name) {
    var field = form.elements[name];
    if (field && field.length !== undefined && !field.tagName) { field = field[0]; } // radios, checkboxes
    return field || null;
  }

  function valueText(form, name) {
    var field = fieldOf(form, name);
    if (!field) { return ""; }
    if (field.tagName === "SELECT") {
      var option = field.options[field.selectedIndex];
      return option && option.value ? option.text : "";
    }
    if (name === "completed_area_m2" && field.value) { return field.value + " m²"; }
    return field.value || "";
  }

  function summaryOf(form, kind) {
    return (SUMMARY_FIELDS[kind] || []).map(function (name) { return valueText(form, name); })
      .filter(Boolean).join(" · ");
  }

  function pendingArea(entries, siteId, exceptId) {
    return entries.filter(function (e) {
      return e.kind === "work" && e.id !== exceptId && e.state !== "attention";
    }).reduce(function (total, e) {
      var site = null, area = 0;
      e.fields.forEach(function (pair) {
        if (pair[0] === "site") { site = pair[1]; }
        if (pair[0] === "completed_area_m2") { area = parseFloat(pair[1]) || 0; }
      });
      return site === siteId ? total + area : total;
    }, 0);
  }

  function formatNumber(value) {
    try { return Number(value).toLocaleString(lang, { maximumFractionDigits: 2 }); } catch (e) { return String(value); }
  }

  function add(errors, name, message) { (errors[name] = errors[name] || []).push(message); }

  /** What the browser can check; the server checks the rest (child labour, overlaps, …). */
  function validate(form, kind, entries, exceptId) {
    var errors = {};
    var now = today();
    Array.prototype.forEach.call(form.elements, function (field) {
      if (!field.name || field.disabled || /^(hidden|submit|button|reset|file)$/.test(field.type)) { return; }
      if (field.type === "date" && field.value) {
        if (field.value < FIRST_DAY) {
          add(errors, field.name, gettext("This date is before the partnership was signed (27 March 2014)."));
        } else if (field.value > now) {
          add(errors, field.name, gettext("This date is in the future; only what has happened can be recorded."));
        }
        return;
      }
      var v = field.validity;
      if (!v || v.valid) { return; }
      if (v.valueMissing) {
        add(errors, field.name, gettext("This field is required."));
      } else if (v.badInput || v.typeMismatch) {
        add(errors, field.name, field.type === "date" ? gettext("Enter a valid date.") : gettext("Enter a number."));
      } else if (v.rangeUnderflow) {
        add(errors, field.name, interpolate(gettext("Ensure this value is greater than or equal to %s."), [field.min]));
      } else if (v.rangeOverflow) {
        add(errors, field.name, interpolate(gettext("Ensure this value is less than or equal to %s."), [field.max]));
      } else if (v.stepMismatch) {
        add(errors, field.name, gettext("Enter a number with at most two decimal places."));
      } else if (v.tooLong) {
        add(errors, field.name, interpolate(gettext("Ensure this value has at most %s characters."), [field.maxLength]));
      }
    });
    var number = function (name) { var f = fieldOf(form, name); return f && f.value !== "" ? Number(f.value) : null; };
    if (kind === "work" && !errors.completed_area_m2) {
      var site = fieldOf(form, "site");
      var area = number("completed_area_m2");
      var known = lists && lists.data && (lists.data.sites || []).filter(function (s) { return String(s.id) === (site && site.value); })[0];
      if (known && area !== null) {
        var left = Number(known.remaining_area_m2) - pendingArea(entries, site.value, exceptId);
        if (area > left + 1e-9) {
          add(errors, "completed_area_m2", interpolate(
            gettext("Only %(left)s m² of the site's planned %(planned)s m² remain to be completed (as last known on this phone, with the entries waiting here)."),
            { left: formatNumber(Math.max(left, 0)), planned: formatNumber(known.planned_area_m2) }, true));
        }
      }
    }
    if (kind === "sessions" && !errors.women && !errors.men) {
      var women = number("women") || 0, men = number("men") || 0, youth = number("youth") || 0;
      if (women + men === 0) {
        add(errors, "women", gettext("A session needs at least one participant."));
      } else if (youth > women + men) {
        add(errors, "youth", gettext("Youth cannot outnumber all participants."));
      }
    }
    if (kind === "jobs") {
      var start = fieldOf(form, "start_date"), end = fieldOf(form, "end_date");
      if (start && end && start.value && end.value && end.value < start.value && !errors.end_date) {
        add(errors, "end_date", gettext("The end date must be on or after the start date."));
      }
    }
    return errors;
  }

  function clearErrors(form) {
    form.querySelectorAll("[data-outbox-error]").forEach(function (node) { node.remove(); });
    form.querySelectorAll(".is-invalid").forEach(function (node) { node.classList.remove("is-invalid"); });
  }

  function showErrors(form, errors) {
    clearErrors(form);
    var general = [];
    var first = null;
    Object.keys(errors || {}).forEach(function (name) {
      var messages = [].concat(errors[name]);
      var field = name === "__all__" ? null : fieldOf(form, name);
      if (!field || field.type === "hidden") {
        general = general.concat(messages);
        return;
      }
      field.classList.add("is-invalid");
      var note = el("div", { class: "invalid-feedback d-block", "data-outbox-error": name }, [messages.join(" ")]);
      var anchor = field.closest(".input-group") || field;
      anchor.parentNode.insertBefore(note, anchor.nextSibling);
      first = first || field;
    });
    if (general.length) {
      var alert = el("div", { class: "alert alert-danger", role: "alert", "data-outbox-error": "__all__" },
        general.map(function (m) { return el("div", { text: m }); }));
      form.insertBefore(alert, form.firstChild);
      first = first || alert;
    }
    if (first) {
      if (first.focus) { first.focus({ preventScroll: true }); }
      first.scrollIntoView({ block: "center" });
    }
  }

  function statusBox() {
    var box = document.querySelector("[data-outbox-status]");
    if (!box) {
      var form = document.querySelector("main form[data-once]");
      box = el("div", { "data-outbox-status": "", "aria-live": "polite" });
      if (form) { form.parentNode.insertBefore(box, form); }
    }
    return box;
  }

  function say(kind, nodes) {
    var box = statusBox();
    box.innerHTML = "";
    if (!nodes) { return; }
    box.appendChild(el("div", { class: "alert alert-" + kind, role: kind === "danger" ? "alert" : "status", "data-outbox-message": kind }, nodes));
  }

  function shrink(file) {
    if (!/^image\//.test(file.type) || !window.createImageBitmap) { return Promise.resolve(file); }
    return createImageBitmap(file).then(function (bitmap) {
      var scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
      if (scale === 1 && file.size < 1500000 && file.type === "image/jpeg") { return file; }
      var canvas = document.createElement("canvas");
      canvas.width = Math.round(bitmap.width * scale);
      canvas.height = Math.round(bitmap.height * scale);
      canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      return new Promise(function (resolve) {
        canvas.toBlob(function (blob) { resolve(blob || file); }, "image/jpeg", 0.8);
      });
    }).catch(function () { return file; }); // the server says what it cannot read
  }

  function collect(form, submitter) {
    var data;
    try { data = new FormData(form, submitter || undefined); } catch (e) {
      data = new FormData(form);
      if (submitter && submitter.name) { data.append(submitter.name, submitter.value); }
    }
    var fields = [], files = [];
    data.forEach(function (value, name) {
      if (name === "csrfmiddlewaretoken") { return; } // a fresh one is fetched before sending
      if (typeof value === "string") {
        fields.push([name, value]);
      } else if (value && (value.size || value.name)) {
        files.push({ name: name, file: value });
      } else {
        fields.push([name, ""]); // an empty file input, sent as the form itself would
      }
    });
    return Promise.all(files.map(function (f) {
      return shrink(f.file).then(function (blob) {
        var filename = blob === f.file ? f.file.name : (f.file.name || "photo").replace(/\.\w+$/, "") + ".jpg";
        return { name: f.name, blob: blob, filename: filename };
      });
    })).then(function (shrunk) { return { fields: fields, files: shrunk }; });
  }

  function room(bytes) {
    if (!navigator.storage || !navigator.storage.estimate) { return Promise.resolve(true); }
    return navigator.storage.estimate().then(function (e) {
      return !e.quota || e.quota - e.usage > bytes + 256 * 1024;
    }).catch(function () { return true; });
  }

  function fullMessage() {
    return gettext("This phone's storage is full: the entry was NOT saved. It is still in the form: free some space on the phone, then press the button again.");
  }

  var asked = false;
  function persist() {
    if (asked || !navigator.storage || !navigator.storage.persist) { return; }
    asked = true;
    navigator.storage.persisted().then(function (already) { return already || navigator.storage.persist(); }).catch(function () {});
  }

  function syncLater() {
    if (!navigator.serviceWorker) { return; }
    navigator.serviceWorker.ready.then(function (registration) {
      if (registration.sync) { return registration.sync.register("outbox"); }
    }).catch(function () { /* Background Sync is a help, not relied on */ });
  }

  /**
   * Check the form and put it in the outbox (a new entry, or the corrected one being edited).
   * Resolves to {entry} or {errors} or {full: true}.
   */
  function save(form, submitter, editingId) {
    var kind = FORM_PATH.exec(location.pathname)[1];
    var submit = !!(submitter && submitter.name === "submit") || !submitter;
    return Promise.all([store.entries(user), loadLists()]).then(function (found) {
      var errors = validate(form, kind, found[0], editingId);
      if (Object.keys(errors).length) { return { errors: errors }; }
      return collect(form, submitter).then(function (content) {
        var bytes = content.files.reduce(function (n, f) { return n + (f.blob.size || 0); }, 0) + JSON.stringify(content.fields).length;
        return room(bytes).then(function (enough) {
          if (!enough) { return { full: true }; }
          var summary = summaryOf(form, kind);
          var saving;
          if (editingId) {
            saving = store.get(editingId).then(function (old) {
              if (!old || old.user !== user) { editingId = null; return null; }
              return store.update(editingId, {
                fields: content.fields, files: content.files, submit: submit, summary: summary,
                state: "waiting", errors: null, status: null, attempts: 0,
                token: old.tokenSpent ? store.newId() : old.token, tokenSpent: false, correctedAt: Date.now(),
              });
            });
          } else {
            saving = Promise.resolve(null);
          }
          return saving.then(function (updated) {
            if (updated) { return updated; }
            return store.add({
              id: store.newId(),
              user: user,
              kind: kind,
              url: location.pathname,
              submit: submit,
              fields: content.fields,
              files: content.files,
              token: store.newId(), // fresh for each entry: a cached page's token would be shared
              summary: summary,
              createdAt: Date.now(),
              state: "waiting",
              attempts: 0,
            });
          }).then(function (entry) {
            persist();
            syncLater();
            outbox.announce("added");
            return { entry: entry };
          });
        });
      });
    }).catch(function (error) {
      if (error && (error.name === "QuotaExceededError" || /quota/i.test(String(error.message)))) { return { full: true }; }
      throw error;
    });
  }

  function waitForOutcome(id, ms) {
    var deadline = Date.now() + ms;
    return new Promise(function (resolve) {
      (function poll() {
        store.get(id).then(function (entry) {
          if (!entry) {
            return store.sent(user).then(function (lines) {
              resolve({ sent: lines.filter(function (l) { return l.id === id; })[0] || {} });
            });
          }
          if (entry.state === "attention") { return resolve({ attention: entry }); }
          // No answer from the server (a failed try), or no network: it waits on this phone.
          if (Date.now() > deadline || !navigator.onLine || entry.attempts > 0) { return resolve({ waiting: entry }); }
          setTimeout(poll, 250);
        }).catch(function () { resolve({}); });
      })();
    });
  }

  function attachForm() {
    var match = FORM_PATH.exec(location.pathname);
    var form = document.querySelector("main form[data-once]");
    if (!match || !form) { return; }
    var editingId = new URLSearchParams(location.search).get("outbox");
    var busy = false;

    if (editingId) {
      store.get(editingId).then(function (entry) {
        if (!entry || entry.user !== user) { editingId = null; return; }
        if (entry.state !== "attention") {
          // Perhaps already received by the server: an entry on its way is not changed.
          editingId = null;
          history.replaceState(null, "", location.pathname);
          say("info", [gettext("This entry waits to be sent and cannot be changed any more. This form makes a new entry.")]);
          return;
        }
        fill(form, entry);
        say("warning", [gettext("The server did not accept this entry. Correct what is marked and press the button again, or discard it from the field home.")]);
        showErrors(form, entry.errors);
      });
    }

    room(5 * 1024 * 1024).then(function (enough) {
      if (!enough) { say("warning", [gettext("Little storage is left on this phone: an entry with a photo may not fit. Free some space before you start.")]); }
    });

    // A page from the phone's cache carries the token it was rendered with: each page shown
    // gets its own, or two entries made from one cached page would be one for the server.
    if (form.elements.token && window.crypto && crypto.randomUUID) { form.elements.token.value = crypto.randomUUID(); }

    form.addEventListener("submit", function (event) {
      // Online with nothing waiting, the form is posted as always (the server's page answers;
      // should the connection fail on the way, the service worker puts it in the outbox).
      // Otherwise it goes through the outbox, after the entries made before it.
      if (navigator.onLine && waitingKnown === 0 && !editingId) { return; }
      event.preventDefault();
      delete form.dataset.sent; // field.js's one-submit guard: this page sends through the outbox
      if (busy) { return; }
      busy = true;
      var online = navigator.onLine; // as it was when the person pressed the button
      var submitter = event.submitter || form.querySelector("button[name=submit]");
      clearErrors(form);
      say(null);
      save(form, submitter, editingId).then(function (result) {
        if (result.errors) {
          say("danger", [gettext("Please correct what is marked below.")]);
          showErrors(form, result.errors);
          return;
        }
        if (result.full) { say("danger", [fullMessage()]); return; }
        var entry = result.entry;
        editingId = entry.id;
        if (!online || !navigator.onLine) { return savedHere(form); }
        say("info", [gettext("Sending…")]);
        sendNow();
        return waitForOutcome(entry.id, ONLINE_WAIT).then(function (outcome) {
          if (outcome.sent) {
            try {
              sessionStorage.setItem("outbox-flash", interpolate(
                entry.submit ? gettext("Submitted for review: %(record)s") : gettext("Draft saved: %(record)s"),
                { record: outcome.sent.label || entry.summary }, true));
            } catch (e) { /* no flash then */ }
            location.assign(outcome.sent.url || "/field/");
          } else if (outcome.attention) {
            history.replaceState(null, "", location.pathname + "?outbox=" + entry.id);
            say("warning", [gettext("The server did not accept this entry. Correct what is marked and press the button again, or discard it from the field home.")]);
            showErrors(form, outcome.attention.errors);
          } else {
            savedHere(form);
          }
        });
      }).catch(function () {
        say("danger", [gettext("The entry could not be saved on this phone. It is still in the form: try again.")]);
      }).then(function () {
        busy = false;
        if (!form.isConnected) { return; }
      });
    });

    function savedHere(form) {
      editingId = null;
      history.replaceState(null, "", location.pathname);
      form.reset();
      form.querySelectorAll("input[type=file]").forEach(function (input) { input.value = ""; });
      clearErrors(form);
      say("success", [
        el("strong", { text: gettext("Saved on this phone — will be sent when you are online.") }), " ",
        el("a", { href: "/field/", class: "alert-link" }, [gettext("Field home")]),
      ]);
      window.scrollTo(0, 0);
      render();
    }
  }

  function fill(form, entry) {
    form.reset();
    var values = {};
    entry.fields.forEach(function (pair) { (values[pair[0]] = values[pair[0]] || []).push(pair[1]); });
    Array.prototype.forEach.call(form.elements, function (field) {
      if (!field.name || field.name === "token" || field.name === "csrfmiddlewaretoken" || field.type === "file" ||
        field.type === "submit" || field.type === "button") { return; }
      var given = values[field.name] || [];
      if (field.type === "checkbox" || field.type === "radio") {
        field.checked = given.indexOf(field.value) >= 0;
      } else if (field.tagName === "SELECT" && field.multiple) {
        Array.prototype.forEach.call(field.options, function (o) { o.selected = given.indexOf(o.value) >= 0; });
      } else if (given.length) {
        field.value = given.shift();
      }
    });
    (entry.files || []).forEach(function (file) {
      var input = fieldOf(form, file.name);
      if (!input || !window.DataTransfer) { return; }
      var transfer = new DataTransfer();
      transfer.items.add(new File([file.blob], file.filename || "photo.jpg", { type: file.blob.type || "image/jpeg" }));
      input.files = transfer.files;
    });
  }

  /* ---------- what the pages show ---------- */

  function statusLine() {
    var line = document.querySelector("[data-offline-status]");
    if (!line) {
      var main = document.querySelector("main");
      if (!main) { return null; }
      line = el("div", { class: "small mb-2", "data-offline-status": "", "aria-live": "polite" });
      main.insertBefore(line, main.firstChild);
    }
    return line;
  }

  /** How many of the person's entries are not sent (null until read): a form posts itself only at 0. */
  var waitingKnown = null;
  var renderQueued = null;
  var renderCount = 0;
  /** Show the outbox as it is now (calls close together are one). */
  function render() {
    if (!user) { return Promise.resolve(); }
    if (renderQueued) { return renderQueued; }
    renderQueued = new Promise(function (resolve) { setTimeout(resolve, 50); }).then(function () {
      renderQueued = null;
      var mine = ++renderCount;
      return Promise.all([store.entries(user), store.sent(user), store.meta("lastSentAt:" + user), store.meta(needsLoginKey()),
        loadLists(), store.meta("sendingSince")]).then(function (found) {
        if (mine !== renderCount) { return; } // a later one paints
        waitingKnown = found[0].length;
        renderStatus(found[0], found[3]);
        // A send interrupted (the page closed) leaves its mark: after two minutes it is not sending.
        var sendingSince = found[5] && Date.now() - found[5] < 120000 ? found[5] : null;
        renderPanel(found[0], found[1], found[2], sendingSince);
      });
    }).catch(function () { renderQueued = null; });
    return renderQueued;
  }

  function renderStatus(entries, needsLogin) {
    var line = statusLine();
    if (!line) { return; }
    line.innerHTML = "";
    var parts = [];
    if (!navigator.onLine) {
      parts.push(el("span", { class: "badge text-bg-warning me-1", "data-offline-badge": "" }, [gettext("Offline")]));
      parts.push(gettext("Your entries are kept on this phone."));
    }
    var waiting = entries.filter(function (e) { return e.state !== "attention"; }).length;
    var attention = entries.length - waiting;
    if (waiting && !document.querySelector("[data-outbox-panel]")) {
      parts.push(" ");
      parts.push(el("a", { href: "/field/#outbox" }, [interpolate(ngettext("%s entry waits to be sent.", "%s entries wait to be sent.", waiting), [waiting])]));
    }
    if (attention && !document.querySelector("[data-outbox-panel]")) {
      parts.push(" ");
      parts.push(el("a", { href: "/field/#outbox", class: "text-danger" }, [interpolate(ngettext("%s entry needs your attention.", "%s entries need your attention.", attention), [attention])]));
    }
    if (needsLogin && entries.length) {
      parts.push(el("div", { class: "alert alert-warning mt-2 mb-0", "data-needs-login": "" }, [
        gettext("You are logged out: log in again to send what waits on this phone."), " ",
        el("a", { href: "/accounts/login/?next=/field/", class: "alert-link" }, [gettext("Log in")]),
      ]));
    }
    parts.forEach(function (p) { line.appendChild(typeof p === "string" ? document.createTextNode(p + " ") : p); });
  }

  function listsAge() {
    if (!lists) {
      return el("p", { class: "small text-body-secondary", "data-lists-age": "" }, [
        navigator.onLine ? gettext("The lists for offline use are being fetched…") : gettext("No lists on this phone yet: open the field pages once while online."),
      ]);
    }
    var old = Date.now() - lists.fetchedAt > 24 * 60 * 60 * 1000;
    return el("p", { class: "small " + (old ? "text-danger" : "text-body-secondary"), "data-lists-age": String(lists.fetchedAt) }, [
      interpolate(gettext("Lists on this phone (sites, businesses, beneficiaries) updated %(when)s."), { when: when(lists.fetchedAt) }, true),
    ]);
  }

  function entryItem(entry, sendingNow) {
    var state = entry.state === "sending" && !sendingNow ? "waiting" : entry.state;
    var badge = { waiting: "text-bg-secondary", sending: "text-bg-info", attention: "text-bg-danger" }[state] || "text-bg-secondary";
    var item = el("li", { class: "list-group-item" + (state === "attention" ? " list-group-item-danger" : ""), "data-outbox-entry": entry.id, "data-state": state, "data-kind": entry.kind }, [
      el("div", { class: "d-flex justify-content-between gap-2" }, [
        el("span", {}, [el("strong", { text: kindLabel(entry.kind) }), entry.summary ? " — " + entry.summary : ""]),
        el("span", { class: "badge " + badge + " align-self-start" }, [stateLabel(state)]),
      ]),
      el("small", { class: "text-body-secondary" }, [
        interpolate(gettext("Made %(when)s"), { when: when(entry.createdAt) }, true),
        entry.submit ? "" : " · " + gettext("draft"),
      ]),
    ]);
    if (state === "attention") {
      var messages = [];
      Object.keys(entry.errors || {}).forEach(function (name) { messages = messages.concat(entry.errors[name]); });
      item.appendChild(el("ul", { class: "small mb-2 mt-1", "data-outbox-errors": "" }, messages.map(function (m) { return el("li", { text: m }); })));
      item.appendChild(el("div", { class: "d-flex gap-2" }, [
        el("a", { class: "btn btn-sm btn-warning", href: entry.url + "?outbox=" + encodeURIComponent(entry.id), "data-correct": "" }, [gettext("Correct and send again")]),
        el("button", { type: "button", class: "btn btn-sm btn-outline-danger", "data-discard": entry.id }, [gettext("Discard")]),
      ]));
    }
    return item;
  }

  function renderPanel(entries, sent, lastSentAt, sendingSince) {
    var panel = document.querySelector("[data-outbox-panel]");
    if (!panel) { return; }
    panel.innerHTML = "";
    panel.id = "outbox";
    var waiting = entries.filter(function (e) { return e.state !== "attention"; }).length;
    var children = [el("h2", { class: "h5", text: gettext("On this phone") })];
    children.push(el("p", { "data-outbox-count": String(entries.length) }, [
      entries.length
        ? interpolate(ngettext("%s entry is not sent yet.", "%s entries are not sent yet.", entries.length), [entries.length])
        : gettext("Nothing waits to be sent."),
    ]));
    if (waiting && navigator.onLine) {
      children.push(el("p", {}, [el("button", { type: "button", class: "btn btn-outline-primary btn-sm", "data-send-now": "" }, [gettext("Send now")])]));
    }
    if (entries.length) {
      children.push(el("ul", { class: "list-group mb-2", "data-outbox-list": "" }, entries.map(function (e) { return entryItem(e, !!sendingSince); })));
    }
    children.push(el("p", { class: "small text-body-secondary", "data-last-sent": lastSentAt ? String(lastSentAt) : "" }, [
      lastSentAt ? interpolate(gettext("Last sent: %(when)s."), { when: when(lastSentAt) }, true) : gettext("Nothing sent from this phone yet."),
    ]));
    if (sent.length) {
      children.push(el("ul", { class: "list-group list-group-flush small mb-2", "data-sent-list": "" }, sent.slice(0, 5).map(function (line) {
        return el("li", { class: "list-group-item d-flex justify-content-between gap-2", "data-sent-entry": line.id }, [
          el("span", {}, [el("strong", { text: kindLabel(line.kind) }), " — ",
            line.url ? el("a", { href: line.url }, [line.label || line.summary || ""]) : (line.label || line.summary || "")]),
          el("span", { class: "badge text-bg-success align-self-start" }, [stateLabel("sent")]),
        ]);
      })));
    }
    children.push(listsAge());
    if (document.documentElement.dataset.offlineReady === "1") {
      children.push(el("p", { class: "small text-success", "data-offline-ready": "" }, [gettext("This phone is ready to work offline.")]));
    }
    children.forEach(function (c) { panel.appendChild(c); });
  }

  function attachPanel() {
    document.addEventListener("click", function (event) {
      var target = event.target;
      if (target.closest("[data-send-now]")) { sendNow(); return; }
      var discard = target.closest("[data-discard]");
      if (discard) {
        if (window.confirm(gettext("Discard this entry? It will not be sent, and cannot be brought back."))) {
          store.discard(discard.getAttribute("data-discard")).then(function () { outbox.announce("discarded"); render(); });
        }
      }
    });
  }

  function showFlash() {
    var text;
    var params = new URLSearchParams(location.search);
    if (params.has("saved")) {
      // The service worker kept a form whose connection failed (see sw.js).
      history.replaceState(null, "", location.pathname + location.hash);
      var main = document.querySelector("main");
      if (main) {
        main.insertBefore(el("div", { class: "alert alert-success", role: "status", "data-outbox-message": "success" }, [
          el("strong", { text: gettext("Saved on this phone — will be sent when you are online.") }),
        ]), main.firstChild);
      }
      return;
    }
    try { text = sessionStorage.getItem("outbox-flash"); sessionStorage.removeItem("outbox-flash"); } catch (e) { return; }
    if (!text || document.querySelector("main .alert-success")) { return; }
    var main = document.querySelector("main");
    if (main) { main.insertBefore(el("div", { class: "alert alert-success", role: "status" }, [text]), main.firstChild); }
  }

  /* ---------- logging out ---------- */

  function attachLogout() {
    document.addEventListener("click", function (event) {
      var button = event.target.closest && event.target.closest("[data-logout]");
      if (!button || !button.form || button.form.dataset.outboxChecked) { return; }
      var form = button.form;
      var worker = navigator.serviceWorker && navigator.serviceWorker.controller;
      var ask = function (n) {
        return !n || window.confirm(interpolate(ngettext(
          "%s entry made on this phone is not sent yet. It stays on this phone and is sent when you log in again. Log out?",
          "%s entries made on this phone are not sent yet. They stay on this phone and are sent when you log in again. Log out?", n), [n]));
      };
      var offline = function () {
        window.alert(gettext("You are offline: logging out needs a connection. Your entries are safe on this phone."));
      };
      if (waitingKnown !== null && worker) {
        // Known at once: the logout posts as usual; the service worker clears the person's
        // cached pages and lists (not the outbox) even as this page goes away.
        if (!ask(waitingKnown)) { event.preventDefault(); return; }
        if (!navigator.onLine) { event.preventDefault(); offline(); return; }
        worker.postMessage({ type: "logout" });
        return;
      }
      event.preventDefault();
      var go = function () { form.dataset.outboxChecked = "1"; form.submit(); };
      (user ? store.entries(user) : Promise.resolve([])).then(function (entries) {
        if (!ask(entries.length)) { return; }
        if (!navigator.onLine) { offline(); return; }
        return clearPersonal().then(function () { return store.setMeta("owner", null); }).then(go, go);
      }, go);
    }, true);
  }

  /* ---------- start ---------- */

  function markReady(ready) {
    if (ready && lists) { document.documentElement.dataset.offlineReady = "1"; }
    render();
  }

  function start() {
    if (started) { return; }
    started = true;
    FO.config = { csrfUrl: body.dataset.offlineCsrf || "/field/offline/csrf/", user: user };
    attachLogout();
    if (!user) { FO.ready = Promise.resolve(false); return; }
    outbox.onChange(function () { render(); });
    window.addEventListener("online", function () { log("online"); render(); refreshLists().then(render); sendNow(); });
    window.addEventListener("offline", function () { log("offline"); render(); });
    document.addEventListener("visibilitychange", function () { if (document.visibilityState === "visible") { run(); } });
    showFlash();
    attachPanel();
    attachForm();
    render();
    FO.ready = checkOwner().then(function (ownerChanged) {
      return Promise.all([registerWorker(ownerChanged), refreshLists(ownerChanged)]);
    }).then(function (results) {
      markReady(results[0]);
      return !!(results[0] && lists);
    });
    FO.ready.then(function () { run(); });
    persist();
  }

  FO.page = {
    start: start,
    save: function (form, submitter) { return save(form || document.querySelector("main form[data-once]"), submitter); },
    sendNow: sendNow,
    render: render,
    entries: function () { return store.entries(user); },
    user: function () { return user; },
  };
})();

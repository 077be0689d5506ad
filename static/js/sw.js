/* The field app's service worker, served at /field/sw.js (scope /field/).
 *
 * The server writes one line before this file:
 *   const FIELD_VERSION = "<version>"; const PRECACHE = [<urls>];
 * PRECACHE lists the field pages (/field/, the five forms, /field/offline/data.json), /jsi18n/
 * and the hashed URLs of the shell's static files.
 *
 * Caches:
 *   field-shell-<version>  the static files of this version, precached at install (cache first);
 *   field-pages            the signed-in person's field pages: refreshed from the network on each
 *                          visit, served from here when there is no connection. Cleared at logout
 *                          and when another person logs in (by the page, which knows who).
 * The lists the forms need (data.json) go into IndexedDB (store.js), not into a cache.
 * The outbox is never touched here but by sending it: a new version, its install and its
 * activation never clear it. A new version takes over only when no entry is being sent.
 */
/* global FIELD_VERSION, PRECACHE, importScripts */
"use strict";

var VERSION = typeof FIELD_VERSION !== "undefined" ? FIELD_VERSION : "dev";
var URLS = typeof PRECACHE !== "undefined" ? PRECACHE : [];
var SHELL = "field-shell-" + VERSION;
var PAGES = "field-pages";
var DATA_URL = "/field/offline/data.json";
var NAVIGATION_TIMEOUT = 6000;
var HASHED = /^(.*)\.[0-9a-f]{12}(\.[A-Za-z0-9]+)$/;
var KINDS = "(sessions|businesses|jobs|services|work)";
var CACHED_PAGE = new RegExp("^/field/(" + KINDS + "/((new/|\\d+/(edit/)?))?)?$");
var LIST_PAGE = new RegExp("^/field/" + KINDS + "/$");

function isPage(url) { return url.indexOf("/field/") === 0 || /\/jsi18n\/$/.test(url); }
var STATIC_URLS = URLS.filter(function (url) { return !isPage(url); });
var PAGE_URLS = URLS.filter(function (url) { return isPage(url) && url !== DATA_URL; });

/** The unhashed name of each hashed static URL: a page cached under an older version asks for it. */
var UNHASHED = {};
STATIC_URLS.forEach(function (url) { UNHASHED[url.replace(HASHED, "$1$2")] = url; });

function staticUrl(path, fallback) {
  var found = STATIC_URLS.filter(function (url) { return url.replace(HASHED, "$1$2").slice(-path.length) === path; });
  return found.length ? found[0] : fallback;
}
importScripts(
  staticUrl("vendor/idb/umd.js", "/static/vendor/idb/umd.js"),
  staticUrl("js/offline/store.js", "/static/js/offline/store.js"),
  staticUrl("js/offline/outbox.js", "/static/js/offline/outbox.js")
);
var store = self.FieldOffline.store;
var outbox = self.FieldOffline.outbox;

var ACTIVATION_WAIT = 10000; // ms the sending waits for this version to take over
var activated = null;
var activatedNow = new Promise(function (resolve) { activated = resolve; });

/** The page's cache key: its path (the query only for lists, which are paged and filtered). */
function pageKey(url) {
  if (!CACHED_PAGE.test(url.pathname)) { return null; }
  return url.origin + url.pathname + (LIST_PAGE.test(url.pathname) ? url.search : "");
}

function cacheable(response) {
  var type = response.headers.get("Content-Type") || "";
  return response.ok && response.type === "basic" && !response.redirected && type.indexOf("text/html") === 0;
}

var WARM_TIMEOUT = 20000;
var RECORDS_KEPT = 20;
var RECORD_LINK = new RegExp('href="(/field/' + KINDS + '/\\d+/(edit/)?)"', "g");

function fetchPage(url) {
  return Promise.race([
    fetch(url, { credentials: "same-origin", redirect: "manual", cache: "no-store" }),
    timeout(WARM_TIMEOUT),
  ]);
}

/** Fetch the signed-in person's pages and lists into the caches; nothing when signed out.
 * Besides the shell's pages: the lists of records, and the records the field home links to
 * (the person's recent entries, those returned to them: their drafts to finish offline). */
function warm() {
  var origin = self.location.origin;
  return caches.open(PAGES).then(function (cache) {
    return fetchPage("/field/").then(function (home) {
      if (!cacheable(home)) { return false; }
      var lists = ["sessions", "businesses", "jobs", "services", "work"].map(function (k) { return "/field/" + k + "/"; });
      return home.clone().text().then(function (html) {
        var records = [], match;
        RECORD_LINK.lastIndex = 0;
        while ((match = RECORD_LINK.exec(html)) && records.length < RECORDS_KEPT) {
          if (records.indexOf(match[1]) < 0) { records.push(match[1]); }
        }
        return records;
      }).then(function (records) {
        var pages = PAGE_URLS.filter(function (url) { return url !== "/field/"; }).concat(lists, records);
        return cache.put(origin + "/field/", home).then(function () { return pages; });
      }).then(function (pages) {
        return Promise.all(pages.map(function (url) {
          return fetchPage(url).then(function (response) {
            var isScript = /\/jsi18n\/$/.test(url);
            if (isScript ? response.ok && response.type === "basic" : cacheable(response)) {
              return cache.put(origin + url, response);
            }
          }).catch(function () { /* another try at the next visit */ });
        }));
      }).then(function () { return refreshLists(); }).then(function () { return true; });
    });
  }).catch(function () { return false; });
}

function refreshLists() {
  return fetch(DATA_URL, { credentials: "same-origin", redirect: "manual", cache: "no-store", headers: { Accept: "application/json" } })
    .then(function (response) {
      if (!response.ok || response.type !== "basic") { return null; }
      return response.json().then(function (data) { return store.saveLists(data); });
    }).catch(function () { return null; });
}

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(SHELL).then(function (cache) {
      return cache.addAll(STATIC_URLS);
    }).then(function () {
      // The pages are the person's: fetched when signed in (else the page asks again later),
      // and a slow network does not hold the new version back for long.
      return Promise.race([warm(), new Promise(function (resolve) { setTimeout(resolve, 30000); })]);
    })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) {
        return name.indexOf("field-shell-") === 0 && name !== SHELL;
      }).map(function (name) { return caches.delete(name); }));
    }).then(function () {
      return self.clients.claim();
    }).then(function () {
      activated();
    })
  );
});

function timeout(ms) {
  return new Promise(function (resolve, reject) { setTimeout(function () { reject(new Error("timeout")); }, ms); });
}

function cachedPage(url) {
  return caches.open(PAGES).then(function (cache) {
    var key = pageKey(url);
    var options = { ignoreVary: true };
    return (key ? cache.match(key, options) : Promise.resolve(undefined)).then(function (hit) {
      return hit || cache.match(url.origin + url.pathname, { ignoreVary: true, ignoreSearch: true });
    }).then(function (hit) {
      // A page never visited while online: the field home, which links to what is here.
      return hit || cache.match(url.origin + "/field/", options);
    });
  });
}

function offlinePage() {
  var html = "<!DOCTYPE html><meta charset=utf-8><meta name=viewport content='width=device-width'>" +
    "<title>haiti_esc</title><p style='font:16px sans-serif;padding:1rem'>" +
    "Pas de connexion · Pa gen koneksyon · No connection. <a href='/field/'>/field/</a></p>";
  return new Response(html, { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } });
}

function navigate(event) {
  var request = event.request;
  var url = new URL(request.url);
  var key = pageKey(url);
  var network = fetch(request).then(function (response) {
    if (key && cacheable(response)) {
      var copy = response.clone();
      event.waitUntil(caches.open(PAGES).then(function (cache) { return cache.put(key, copy); }));
    }
    return response;
  });
  return Promise.race([network, timeout(NAVIGATION_TIMEOUT)]).catch(function () {
    return cachedPage(url).then(function (hit) {
      if (hit) { return hit; }
      return network.catch(offlinePage);
    });
  });
}

function fromShell(request) {
  var url = new URL(request.url);
  return caches.open(SHELL).then(function (cache) {
    return cache.match(request, { ignoreVary: true }).then(function (hit) {
      if (hit) { return hit; }
      var hashed = UNHASHED[url.pathname];
      return hashed ? cache.match(hashed, { ignoreVary: true }) : undefined;
    }).then(function (hit) {
      if (hit) { return hit; }
      return caches.match(request, { ignoreVary: true }).then(function (any) { return any || fetch(request); });
    });
  });
}

/** /jsi18n/: the person's language from the network when it answers soon, else the cached one. */
function catalogue(event) {
  var request = event.request;
  var network = fetch(request).then(function (response) {
    if (response.ok) {
      var copy = response.clone();
      event.waitUntil(caches.open(PAGES).then(function (cache) { return cache.put(request.url.split("?")[0], copy); }));
    }
    return response;
  });
  return Promise.race([network, timeout(3000)]).catch(function () {
    return caches.match(request.url.split("?")[0], { ignoreVary: true }).then(function (hit) {
      return hit || network;
    });
  });
}

/** The beneficiary search, answered from the lists on this phone when the server does not answer. */
function beneficiarySearch(request) {
  var url = new URL(request.url);
  return fetch(request).catch(function () {
    var term = (url.searchParams.get("q") || "").trim().toLowerCase();
    return store.meta("owner").then(function (user) {
      return user ? store.lists(user) : null;
    }).then(function (lists) {
      var people = (lists && lists.data && lists.data.beneficiaries) || [];
      var found = term.length < 2 ? [] : people.filter(function (p) {
        var words = (p.name || "").toLowerCase().split(/\s+/);
        return p.code.toLowerCase().indexOf(term) === 0 || words.some(function (w) { return w.indexOf(term) === 0; });
      }).slice(0, 10).map(function (p) { return { code: p.code, name: p.name }; });
      return new Response(JSON.stringify({ results: found, offline: true }), {
        headers: { "Content-Type": "application/json" },
      });
    });
  });
}

var FORM_PATH = new RegExp("^/field/" + KINDS + "/(new|\\d+/edit)/$");
var POST_TIMEOUT = 45000;
var SUMMARY_FIELDS = {
  sessions: ["held_on"], businesses: ["name"], jobs: ["role", "worker"], services: ["delivered_on"],
  work: ["completed_area_m2", "date"],
};

/** A form posted by the page itself (online, nothing waiting) whose connection failed: it goes
 * into the outbox with the form's own token (the server may have received it: a replay then
 * returns that record), and the field home says it is saved on this phone. */
function queueFromWorker(request, kind) {
  var url = new URL(request.url);
  return Promise.all([request.formData(), store.meta("owner")]).then(function (found) {
    var data = found[0], user = found[1];
    if (!user || !data.get("token")) { throw new Error("no owner or no token"); }
    var fields = [], files = [];
    data.forEach(function (value, name) {
      if (name === "csrfmiddlewaretoken") { return; }
      if (typeof value === "string") {
        fields.push([name, value]);
      } else if (value && (value.size || value.name)) {
        files.push({ name: name, blob: value, filename: value.name || "photo.jpg" });
      } else {
        fields.push([name, ""]); // an empty file input: the server read it as "" (its fingerprint too)
      }
    });
    var summary = SUMMARY_FIELDS[kind].map(function (name) {
      var value = data.get(name);
      return value && name === "completed_area_m2" ? value + " m²" : value;
    }).filter(Boolean).join(" · ");
    return store.add({
      id: store.newId(), user: String(user), kind: kind, url: url.pathname, submit: data.has("submit"),
      fields: fields, files: files, token: String(data.get("token")), summary: summary,
      createdAt: Date.now(), state: "waiting", attempts: 1, lastError: "page post failed",
    });
  }).then(function (entry) {
    outbox.announce("added");
    return Response.redirect(self.location.origin + "/field/?saved=" + encodeURIComponent(entry.id), 303);
  });
}

function postForm(event, kind) {
  var request = event.request;
  var copy = request.clone();
  return Promise.race([fetch(request), timeout(POST_TIMEOUT)]).catch(function () {
    return queueFromWorker(copy, kind).catch(function () { return offlinePage(); });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (request.method === "POST" && request.mode === "navigate") {
    var form = FORM_PATH.exec(url.pathname);
    if (form) { event.respondWith(postForm(event, form[1])); }
    return;
  }
  if (request.method !== "GET") { return; } // the outbox's sends go straight to the server
  if (request.mode === "navigate") {
    if (url.pathname.indexOf("/field/") === 0) { event.respondWith(navigate(event)); }
    return;
  }
  if (/\/jsi18n\/$/.test(url.pathname)) { event.respondWith(catalogue(event)); return; }
  if (url.pathname === "/field/beneficiaries/search/") { event.respondWith(beneficiarySearch(request)); return; }
  if (STATIC_URLS.indexOf(url.pathname) >= 0 || UNHASHED[url.pathname]) { event.respondWith(fromShell(request)); }
});

self.addEventListener("message", function (event) {
  var data = event.data || {};
  var reply = function (value) { if (event.ports && event.ports[0]) { event.ports[0].postMessage(value); } };
  if (data.type === "version") {
    reply({ version: VERSION });
  } else if (data.type === "warm") {
    event.waitUntil(warm().then(function (done) { reply({ warmed: done, version: VERSION }); }));
  } else if (data.type === "logout") {
    // The person logs out: their pages and lists go; the outbox stays (sent at their next login).
    event.waitUntil(Promise.all([
      caches.delete(PAGES), store.clearLists(), store.setMeta("owner", null), store.setMeta("warmedAt", null),
    ]));
  } else if (data.type === "activate-when-idle") {
    // Take over when no entry is being sent: the sending lock is held while this version
    // activates, so no send starts in between. The browser activates it only once the old
    // version is idle and stopped (Chromium resolves skipWaiting() only then), which a page
    // in use can put off for minutes: the lock is let go after ACTIVATION_WAIT whatever
    // happens, and the entries go on being sent meanwhile.
    event.waitUntil(navigator.locks.request(outbox.LOCK, function () {
      self.skipWaiting();
      return Promise.race([activatedNow, new Promise(function (r) { setTimeout(r, ACTIVATION_WAIT); })]);
    }));
  }
});

/* Background Sync where the browser has it: the pages send too, this is not relied on. */
self.addEventListener("sync", function (event) {
  if (event.tag !== "outbox") { return; }
  event.waitUntil(outbox.flush({ quick: false }).then(function (summary) {
    if (summary.result === "offline") { throw new Error("still offline"); } // the browser tries again later
  }));
});

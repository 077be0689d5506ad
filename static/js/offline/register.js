/* Offline field entry, page side: loads what is not loaded yet (Django's JavaScript catalogue,
 * the vendored idb, store.js, outbox.js, page.js, from this file's own folder), then starts
 * page.js. Templates need only this script (and may load the others themselves before it).
 * No inline script anywhere: the CSP forbids it.
 */
(function () {
  "use strict";
  // A module script has no document.currentScript: its tag is found by its name.
  var script = document.currentScript || document.querySelector("script[src*='js/offline/register']");
  var here = script && script.src ? script.src.slice(0, script.src.lastIndexOf("/") + 1) : "/static/js/offline/";
  var vendor = here.slice(0, here.length - "js/offline/".length) + "vendor/idb/";
  var FO = window.FieldOffline || {};
  var needed = [];
  if (!window.django || !window.django.gettext) { needed.push("/jsi18n/"); }
  if (!window.idb) { needed.push(vendor + "umd.js"); }
  if (!FO.store) { needed.push(here + "store.js"); }
  if (!FO.outbox) { needed.push(here + "outbox.js"); }
  if (!FO.page) { needed.push(here + "page.js"); }

  function load(src) {
    return new Promise(function (resolve, reject) {
      var tag = document.createElement("script");
      tag.src = src;
      tag.async = false;
      tag.onload = resolve;
      tag.onerror = function () { reject(new Error(src)); };
      document.head.appendChild(tag);
    });
  }

  function start() {
    if (window.FieldOffline && window.FieldOffline.page) { window.FieldOffline.page.start(); }
  }

  function boot() {
    needed.reduce(function (chain, src) {
      return chain.then(function () {
        // Without the catalogue the page speaks English; without the rest it posts as before.
        return load(src).catch(function (error) { if (src !== "/jsi18n/") { throw error; } });
      });
    }, Promise.resolve()).then(start, function () { /* forms post to the server as without script */ });
  }

  if (!("indexedDB" in window) || !window.Promise) { return; }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", boot);
  } else {
    boot();
  }
})();

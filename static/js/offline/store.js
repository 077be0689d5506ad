/* The phone's own storage for offline field entry (IndexedDB through the vendored `idb`).
 *
 * Loaded by the pages (after vendor/idb/umd.js) and by the service worker (importScripts), so
 * both read and write the same database:
 *   outbox  entries made on this phone and not yet confirmed by the server, each with its
 *           user, form URL, fields, photo (a Blob), idempotency token and state;
 *   sent    the last entries the server confirmed (no fields, no photo), for "last sent";
 *   lists   the lists the forms need offline (`/field/offline/data.json`), one per user;
 *   meta    small values: the user whose pages are cached, the next entry number.
 * Nothing here ever deletes an unsent entry except `discard()`, called when a person asks.
 */
(function (root) {
  "use strict";
  var DB_NAME = "haiti-esc-field";
  var DB_VERSION = 1;
  var SENT_KEPT = 20;
  var dbPromise = null;

  function open() {
    if (!dbPromise) {
      dbPromise = root.idb.openDB(DB_NAME, DB_VERSION, {
        upgrade: function (db) {
          var outbox = db.createObjectStore("outbox", { keyPath: "id" });
          outbox.createIndex("user", "user");
          var sent = db.createObjectStore("sent", { keyPath: "id" });
          sent.createIndex("user", "user");
          db.createObjectStore("lists", { keyPath: "user" });
          db.createObjectStore("meta");
        },
        blocking: function () {
          // A newer page or worker wants to upgrade the database: let it.
          dbPromise.then(function (db) { db.close(); });
          dbPromise = null;
        },
        terminated: function () { dbPromise = null; },
      });
    }
    return dbPromise;
  }

  function newId() {
    if (root.crypto && root.crypto.randomUUID) { return root.crypto.randomUUID(); }
    // Secure contexts have randomUUID; this is for very old browsers only.
    var bytes = root.crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 0x100).toString(16).slice(1); }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" + hex.slice(20);
  }

  function byOrder(a, b) { return a.seq - b.seq; }

  var store = {
    open: open,
    newId: newId,

    /** Put a new entry in the outbox; it gets its number in the order of making. */
    add: function (entry) {
      return open().then(function (db) {
        var tx = db.transaction(["outbox", "meta"], "readwrite");
        var meta = tx.objectStore("meta");
        return meta.get("seq").then(function (seq) {
          entry.seq = (seq || 0) + 1;
          meta.put(entry.seq, "seq");
          tx.objectStore("outbox").put(entry);
          return tx.done;
        }).then(function () { return entry; });
      });
    },

    get: function (id) {
      return open().then(function (db) { return db.get("outbox", id); });
    },

    /** Change some properties of an entry (still in the outbox); its number is kept. */
    update: function (id, changes) {
      return open().then(function (db) {
        var tx = db.transaction("outbox", "readwrite");
        return tx.store.get(id).then(function (entry) {
          if (!entry) { return null; }
          Object.keys(changes).forEach(function (key) { entry[key] = changes[key]; });
          tx.store.put(entry);
          return tx.done.then(function () { return entry; });
        });
      });
    },

    /** The user's entries, in the order they were made. */
    entries: function (user) {
      return open().then(function (db) {
        return db.getAllFromIndex("outbox", "user", String(user));
      }).then(function (entries) { return entries.sort(byOrder); });
    },

    /** The server confirmed the entry: it leaves the outbox; a short line of it is kept. */
    confirm: function (entry, result) {
      return open().then(function (db) {
        var tx = db.transaction(["outbox", "sent"], "readwrite");
        tx.objectStore("outbox").delete(entry.id);
        tx.objectStore("sent").put({
          id: entry.id,
          user: entry.user,
          kind: entry.kind,
          summary: entry.summary,
          submit: entry.submit,
          createdAt: entry.createdAt,
          sentAt: Date.now(),
          recordId: result && result.id,
          url: result && result.url,
          label: result && result.label,
          state: result && result.state,
        });
        return tx.done;
      }).then(function () { return store.trimSent(entry.user); });
    },

    trimSent: function (user) {
      return store.sent(user).then(function (sent) {
        var old = sent.slice(SENT_KEPT);
        if (!old.length) { return; }
        return open().then(function (db) {
          var tx = db.transaction("sent", "readwrite");
          old.forEach(function (line) { tx.store.delete(line.id); });
          return tx.done;
        });
      });
    },

    /** The user's last confirmed entries, newest first. */
    sent: function (user) {
      return open().then(function (db) {
        return db.getAllFromIndex("sent", "user", String(user));
      }).then(function (lines) { return lines.sort(function (a, b) { return b.sentAt - a.sentAt; }); });
    },

    /** A person chose to throw an entry away. */
    discard: function (id) {
      return open().then(function (db) { return db.delete("outbox", id); });
    },

    lists: function (user) {
      return open().then(function (db) { return db.get("lists", String(user)); });
    },

    saveLists: function (data) {
      var record = { user: String(data.user), fetchedAt: Date.now(), data: data };
      return open().then(function (db) { return db.put("lists", record); }).then(function () { return record; });
    },

    /** Cached lists are personal data (names): cleared at logout and when another person logs in. */
    clearLists: function () {
      return open().then(function (db) { return db.clear("lists"); });
    },

    meta: function (key) {
      return open().then(function (db) { return db.get("meta", key); });
    },

    setMeta: function (key, value) {
      return open().then(function (db) { return db.put("meta", value, key); });
    },
  };

  root.FieldOffline = root.FieldOffline || {};
  root.FieldOffline.store = store;
})(self);

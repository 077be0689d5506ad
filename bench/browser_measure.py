"""Measurements in Chromium (issue 19) against gunicorn with the production settings (bench/server.py)
over one bench database: the field form's first load on a slow link, and the offline outbox's sync.

    .venv/bin/python bench/browser_measure.py --scale 100 [--entries 100]   (prints JSON)

1. `field_form_first_load`: `/field/work/new/` opened by field staff (their session cookie put in a
   fresh browser context: cold HTTP cache, no service worker) through Chromium's network emulation
   (CDP `Network.emulateNetworkConditions`: 400 ms latency, 400 kbit/s down and up). `seconds` is
   the navigation's `loadEventStart` in the page's Navigation Timing: from the start of the
   navigation to the window's `load` event (the median of RUNS fresh contexts, after two answers of
   the server and one unthrottled load to warm it). The requests `load` waited for: the document
   and every Resource Timing entry that ended before `load` (stylesheets, scripts, images; fetch
   and XHR never hold `load` back; a service worker's fetches are not the page's). `bytes`: their
   `transferSize`, what crossed the link (the gzip/brotli body and the response headers).
     floor_seconds = bytes / (400 kbit/s) + requests x 400 ms
   is the issue's floor: every byte over the one link, one round trip per request on the critical
   path. Requests made in parallel share a round trip, so a page can beat that floor; `rounds`
   counts the sequential rounds (a request's round is one more than the latest round of a request
   that ended before it started) and floor_rounds_seconds = bytes / (400 kbit/s) + rounds x 400 ms
   is the stricter floor of the same bytes fetched in those rounds.
2. `offline_sync`: field staff's phone-sized Chromium (no emulation) opens the field home and the
   work form online until ready offline, posts WARM_UPS entries online (the server's saving and
   photo paths warmed; deleted at once), goes offline (`context.set_offline(True)`), makes ENTRIES
   work records through the form (every PHOTO_EVERY-th with a 3000x2000 JPEG, shrunk on the phone)
   into the outbox, checks that none reached the server, and goes online: `sync_seconds` runs from
   `set_offline(False)` until no entry waits (page clock); the page or the service worker
   (Background Sync; "busy" in `page_flushes`) sends them. They are deleted, and the same entries
   (fields, shrunk photos, fresh tokens) POSTed online by the page one after another with `fetch`
   as outbox.js POSTs them (multipart, JSON answer): `online_seconds`, first POST to last answer.
   SYNC_ROUNDS rounds (later ones with the same entries put in the outbox again offline); medians.
   Entries are valid for the bench database: the offered site with the most area left, yesterday,
   0.01 m² each, notes starting with a marker by which all they made (work records, history,
   review events, form tokens) is deleted in one transaction, then their photos under MEDIA_ROOT.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import statistics
import sys
import tempfile
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.environment import BENCH, HOST, PG, PORT, PY, ROOT, env_for, log, run  # noqa: E402
from bench.server import Server, get  # noqa: E402

BASE = f"http://{HOST}:{PORT}"
FORM = "/field/work/new/"
RATE, LATENCY, RUNS, SYNC_ROUNDS = 400_000 / 8, 0.4, 3, 3  # bytes per second each way, seconds per round trip
ENTRIES, PHOTO_EVERY, WARM_UPS, AREA, MARKER = 100, 10, 4, "0.01", "bench-browser"
PHONE = {"width": 360, "height": 740}
RESOURCE = ("path", "round", "start", "end", "transfer", "blocking")

TIMINGS_JS = """() => {
    const nav = performance.getEntriesByType("navigation")[0];
    const load = nav.loadEventStart;
    const held = performance.getEntriesByType("resource").filter(e =>
        e.responseEnd <= load && !["fetch", "xmlhttprequest", "beacon"].includes(e.initiatorType));
    const row = e => ({path: e.name.replace(location.origin, ""), start: Math.round(e.startTime),
        end: Math.round(e.responseEnd), transfer: e.transferSize, encoded: e.encodedBodySize,
        blocking: e.renderBlockingStatus || ""});
    return {load: load, domContentLoaded: nav.domContentLoadedEventStart, encoding: nav.contentEncoding,
        requests: [row(nav), ...held.map(row)]};
}"""
ENTRIES_JS = "() => FieldOffline.store.entries(FieldOffline.page.user())"
#: The outbox's entries, copied into memory (fields and photo bytes) for the online POSTs.
KEEP_JS = """async () => {
    const entries = await FieldOffline.store.entries(FieldOffline.page.user());
    window.benchEntries = await Promise.all(entries.map(async e => ({...e,
        files: await Promise.all((e.files || []).map(async f => ({name: f.name, filename: f.filename,
            blob: new Blob([await f.blob.arrayBuffer()], {type: f.blob.type})})))})));
    return entries.map(e => ({state: e.state, photos: (e.files || []).map(f => f.blob.size)}));
}"""
#: The kept entries into the outbox again, as page.js's save puts an entry (and asks for a sync).
AGAIN_JS = """async () => {
    const store = FieldOffline.store;
    for (const e of window.benchEntries) {
        await store.add({...e, id: store.newId(), token: store.newId(), createdAt: Date.now(),
            state: "waiting", attempts: 0});
    }
    FieldOffline.outbox.announce("added");
    const registration = await navigator.serviceWorker.ready;
    if (registration.sync) { await registration.sync.register("outbox"); }
}"""
#: Resolves (the page's clock, in ms) once no entry of the outbox waits or is being sent.
EMPTY_JS = """() => new Promise(resolve => {
    const check = () => FieldOffline.store.entries(FieldOffline.page.user()).then(entries =>
        entries.some(e => e.state !== "attention") ? setTimeout(check, 50) : resolve(performance.now()));
    check();
})"""
CLEAR_JS = """() => document.querySelector("[data-outbox-status]")?.replaceChildren()"""
SHRUNK_JS = """(size) => document.querySelector("input[name=photo]").files[0]?.size < size"""
#: The form as filled, POSTed online as the outbox POSTs an entry.
WARM_UP_JS = """async () => {
    const data = new FormData(document.querySelector("main form[data-once]"));
    data.set("token", crypto.randomUUID());
    const response = await fetch(location.pathname, {method: "POST", body: data, credentials: "same-origin",
        redirect: "manual", headers: {Accept: "application/json", "X-Requested-With": "outbox"}});
    return response.status;
}"""
#: The same entries POSTed online one after another, as outbox.js POSTs each (fresh tokens).
POST_JS = """async () => {
    const headers = {Accept: "application/json", "X-Requested-With": "outbox"};
    const session = await (await fetch("/field/offline/csrf/", {credentials: "same-origin",
        cache: "no-store", headers: headers})).json();
    const statuses = [];
    const started = performance.now();
    for (const entry of window.benchEntries) {
        const data = new FormData();
        entry.fields.filter(([name]) => !["token", "csrfmiddlewaretoken"].includes(name))
            .forEach(([name, value]) => data.append(name, value));
        entry.files.forEach(f => data.append(f.name, f.blob, f.filename));
        data.set("token", crypto.randomUUID());
        const response = await fetch(entry.url, {method: "POST", body: data, credentials: "same-origin",
            cache: "no-store", redirect: "manual", headers: {...headers, "X-CSRFToken": session.csrf_token}});
        await response.text();
        statuses.push(response.status);
    }
    return {seconds: (performance.now() - started) / 1000, statuses: statuses};
}"""


def browser_measurements(scale: int, cookies: dict, *, entries: int = ENTRIES) -> dict:
    """Both measurements over the database of `scale`, with the bench users' session cookies."""
    from playwright.sync_api import sync_playwright

    from conftest import CHROMIUM, CHROMIUM_ARGS  # Debian's Chromium, as the browser tests drive it

    with Server(scale), sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            log(f"browser: first load of {FORM} at 400 kbit/s, 400 ms round trip")
            first = first_load(browser, cookies["field"])
            log(f"browser: {entries} entries through the offline outbox vs online POSTs")
            sync = offline_sync(browser, cookies["field"], scale, entries)
        finally:
            browser.close()
    return {"field_form_first_load": first, "offline_sync": sync}


# ---- 1. the field form's first load on a slow link ----


def new_context(browser, cookie: str, **options):
    context = browser.new_context(locale="fr-FR", viewport=PHONE, **options)
    context.add_cookies([{"name": "sessionid", "value": cookie, "url": BASE}])
    context.set_default_timeout(120_000)
    return context


def one_load(browser, cookie: str, *, slow: bool = True) -> dict:
    context = new_context(browser, cookie)
    try:
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        link = {"offline": False, "latency": LATENCY * 1000, "downloadThroughput": RATE}
        slow and cdp.send("Network.emulateNetworkConditions", {**link, "uploadThroughput": RATE})
        page.goto(BASE + FORM, wait_until="load")
        timings = page.evaluate(TIMINGS_JS)
    finally:
        context.close()
    requests = timings["requests"]
    ends: list[tuple[float, int]] = []  # (end, round) of each request, in the order they started
    for request in sorted(requests, key=lambda r: r["start"]):
        request["round"] = 1 + max((r for end, r in ends if end <= request["start"]), default=0)
        ends.append((request["end"], request["round"]))
    size = sum(r["transfer"] for r in requests)
    rounds = max(r["round"] for r in requests)
    return {
        "seconds": timings["load"] / 1000,
        "dom_content_loaded_seconds": timings["domContentLoaded"] / 1000,
        "document_encoding": timings["encoding"],
        "bytes": size,
        "encoded_body_bytes": sum(r["encoded"] for r in requests),
        "requests": len(requests),
        "rounds": rounds,
        "floor_seconds": size / RATE + len(requests) * LATENCY,
        "floor_rounds_seconds": size / RATE + rounds * LATENCY,
        # What load waited for: path, round, start and end (ms), bytes, render-blocking status.
        "resources": [[r[key] for key in RESOURCE] for r in sorted(requests, key=lambda r: r["start"])],
    }


def first_load(browser, cookie: str) -> dict:
    for _ in range(2):  # the server's first answers (imports, connections) are not the browser's
        status, _size = get(FORM, cookie)
        if status != 200:
            raise SystemExit(f"{FORM} answered {status} to field staff")
    one_load(browser, cookie, slow=False)  # and the static files and the catalogue, once
    runs = [one_load(browser, cookie) for _ in range(RUNS)]
    median = sorted(runs, key=lambda r: r["seconds"])[len(runs) // 2]
    return {
        **median,
        "runs_seconds": [round(r["seconds"], 3) for r in runs],
        "timed": "Navigation Timing loadEventStart: navigation start to the window's load event",
    }


# ---- 2. the offline outbox's sync vs the same entries posted online ----


def database(scale: int, *statements: tuple[str, list]) -> list[list[tuple]]:
    """The rows of each statement, run in one transaction (committed) on the bench database."""
    import psycopg2

    connection = psycopg2.connect(f"{PG}/haiti_esc_bench_{scale}")
    try:
        with connection, connection.cursor() as cursor:
            return [cursor.execute(sql, params) or cursor.fetchall() for sql, params in statements]
    finally:
        connection.close()


SITE_SQL = """SELECT s.id, s.planned_area_m2 - COALESCE(SUM(w.completed_area_m2), 0) AS area_left
    FROM rehab_rehabsite s LEFT JOIN rehab_workrecord w ON w.site_id = s.id
    WHERE s.id = ANY(%s) GROUP BY s.id ORDER BY area_left DESC, s.id LIMIT 1"""
#: The work records whose notes start with a marker, what their save made (form tokens, review
#: events, history), deleted; the photos' names returned.
DELETE_SQL = [
    """DELETE FROM programs_formsubmission WHERE object_id IN (SELECT id FROM rehab_workrecord
       WHERE notes LIKE %s) AND content_type_id = (SELECT id FROM django_content_type
       WHERE app_label = 'rehab' AND model = 'workrecord') RETURNING id""",
    """DELETE FROM programs_reviewevent WHERE object_id IN (SELECT id FROM rehab_workrecord
       WHERE notes LIKE %s) AND content_type_id = (SELECT id FROM django_content_type
       WHERE app_label = 'rehab' AND model = 'workrecord') RETURNING id""",
    """DELETE FROM rehab_historicalworkrecord WHERE id IN (SELECT id FROM rehab_workrecord
       WHERE notes LIKE %s) RETURNING photo""",
    "DELETE FROM rehab_workrecord WHERE notes LIKE %s RETURNING photo",
]


def marked(scale: int, marker: str) -> int:
    sql = "SELECT COUNT(*) FROM rehab_workrecord WHERE notes LIKE %s"
    return database(scale, (sql, [marker + "%"]))[0][0][0]


def delete_marked(scale: int, marker: str) -> int:
    """Delete in one transaction what the entries made, then their photo files; their count."""
    *_, history, records = database(scale, *((sql, [marker + "%"]) for sql in DELETE_SQL))
    media = Path(env_for(scale).get("MEDIA_ROOT") or ROOT / "media")
    for name in {row[0] for row in history + records if row[0]}:
        (media / name).unlink(missing_ok=True)
    return len(records)


def make_photo(folder: Path) -> Path:
    from PIL import Image

    # A camera's texture, not a flat colour (which JPEG makes tiny): noise, enlarged smoothly.
    path = folder / "chantier.jpg"
    noise = Image.merge("RGB", [Image.effect_noise((300, 200), 60) for _ in range(3)])
    noise.resize((3000, 2000), Image.Resampling.BICUBIC).save(path, format="JPEG", quality=95)
    return path


def ready_phone(browser, cookie: str):
    """A fresh phone that opened the field home and the work form online: ready offline."""
    context = new_context(browser, cookie, service_workers="allow")
    page = context.new_page()
    page.goto(BASE + "/field/")
    page.wait_for_function("() => window.FieldOffline && FieldOffline.ready")
    page.wait_for_function("() => document.documentElement.dataset.offlineReady === '1'")
    page.goto(BASE + FORM)
    started(page)
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    return context, page


def started(page) -> None:
    page.wait_for_function("() => window.FieldOffline && FieldOffline.ready")
    page.evaluate("() => FieldOffline.ready")


def fill(page, *, site: int, date: str, notes: str, picture: Path | None) -> None:
    page.evaluate(CLEAR_JS)
    page.select_option("select[name=site]", str(site))
    page.fill("input[name=date]", date)
    page.fill("input[name=completed_area_m2]", AREA)
    page.fill("textarea[name=notes]", notes)
    if picture is not None:
        page.set_input_files("input[name=photo]", str(picture))
        # field.js shrinks the photo in the input first (page.js shrinks it again if need be).
        page.wait_for_function(SHRUNK_JS, arg=picture.stat().st_size)


def warm_up(page, *, site: int, date: str, marker: str, picture: Path) -> None:
    """A few POSTs of the form online (as warm as for the online POSTs), then the form afresh."""
    for n in range(WARM_UPS):
        fill(page, site=site, date=date, notes=f"{marker} warm-up {n}", picture=picture if n % 2 else None)
        status = page.evaluate(WARM_UP_JS)
        if status != 201:
            raise SystemExit(f"an online POST of the work form answered {status}")
    page.goto(BASE + FORM)
    started(page)


def enter_offline(page, *, count: int, site: int, date: str, marker: str, picture: Path) -> None:
    """`count` entries through the form, as the person types them, while offline."""
    for n in range(count):
        fill(page, site=site, date=date, notes=f"{marker} {n}", picture=None if n % PHOTO_EVERY else picture)
        page.click("button[name=submit]")
        page.wait_for_selector("[data-outbox-message=success]")


def offline_sync(browser, cookie: str, scale: int, entries: int) -> dict:
    marker = f"{MARKER}-{uuid.uuid4().hex[:8]}"
    date = (datetime.date.today() - datetime.timedelta(days=1)).isoformat()
    context, page = ready_phone(browser, cookie)
    try:
        offered = page.eval_on_selector_all(
            "select[name=site] option", "options => options.map(o => o.value).filter(Boolean)"
        )
        site, left = database(scale, (SITE_SQL, [[int(value) for value in offered]]))[0][0]
        if float(left) < entries * float(AREA):
            raise SystemExit(f"site {site} has only {left} m² left; {entries} x {AREA} m² needed")
        with tempfile.TemporaryDirectory() as folder:
            picture = make_photo(Path(folder))
            warm_up(page, site=site, date=date, marker=marker, picture=picture)
            delete_marked(scale, marker)
            context.set_offline(True)
            enter_offline(page, count=entries, site=site, date=date, marker=marker, picture=picture)
        kept = page.evaluate(KEEP_JS)
        rounds = []
        for n in range(SYNC_ROUNDS):
            if n:  # the same entries put in the outbox again, offline, as the form's save puts them
                context.set_offline(True)
                page.evaluate(AGAIN_JS)
            rounds.append(sync_round(page, context, scale, marker, entries))
    finally:
        context.close()
        deleted = delete_marked(scale, marker)
    sync, online = (statistics.median(r[key] for r in rounds) for key in ("sync_seconds", "online_seconds"))
    return {
        "entries": entries,
        "photos": sum(1 for e in kept if e["photos"]),
        "photo_bytes": sum(sum(e["photos"]) for e in kept),
        "sync_seconds": sync,  # the medians of the rounds
        "online_seconds": online,
        "rounds": rounds,
        "online_method": "fetch() POSTs by the page, one after another, as outbox.js POSTs",
        "site_id": site,
        "deleted_afterwards": deleted,
    }


def sync_round(page, context, scale: int, marker: str, entries: int) -> dict:
    """The outbox (offline, `entries` waiting) sent once online; then the same entries POSTed."""
    waiting = len([e for e in page.evaluate(ENTRIES_JS) if e["state"] == "waiting"])
    leaked = marked(scale, marker)  # a service worker's fetch is not cut by set_offline
    if waiting != entries or leaked:
        raise SystemExit(f"{waiting} entries wait in the outbox, {leaked} reached the server offline")
    started = page.evaluate("() => performance.now()")
    context.set_offline(False)
    sync_seconds = (page.evaluate(EMPTY_JS) - started) / 1000
    attention = len(page.evaluate(ENTRIES_JS))
    flushes = [line for line in page.evaluate("() => FieldOffline.log") if "flush:" in line]
    page.evaluate("() => { FieldOffline.log.length = 0; }")
    synced = delete_marked(scale, marker)
    online = page.evaluate(POST_JS)
    return {
        "sync_seconds": sync_seconds,
        "synced": synced,
        "needing_attention": attention,
        # "busy": the service worker (Background Sync) held the sending lock and sent them.
        "page_flushes": flushes,
        "online_seconds": online["seconds"],
        "online_posted": delete_marked(scale, marker),
        "online_statuses": sorted(set(online["statuses"])),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=100)
    parser.add_argument("--entries", type=int, default=ENTRIES)
    args = parser.parse_args()
    os.chdir(ROOT)
    out = run([PY, str(BENCH / "measure.py"), "users"], env_for(args.scale))
    cookies = json.loads(out.strip().splitlines()[-1])["cookies"]
    result = browser_measurements(args.scale, cookies, entries=args.entries)
    first, sync = result["field_form_first_load"], result["offline_sync"]
    result["ratios"] = {
        "field_form_first_load_vs_network_floor": first["seconds"] / first["floor_seconds"],
        "field_form_first_load_vs_rounds_floor": first["seconds"] / first["floor_rounds_seconds"],
        "offline_sync_100_vs_online_posts": sync["sync_seconds"] / sync["online_seconds"],
    }
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()

"""A phone for the offline tests: Chromium with a profile on disk (closed and opened again as a
phone is restarted: IndexedDB, caches and the service worker survive), pointed at a relay that
cuts the network for real (`relay.py`)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from PIL import Image

from conftest import CHROMIUM, CHROMIUM_ARGS

PHONE = {"width": 360, "height": 740}

OUTBOX_JS = """() => FieldOffline.store.entries(FieldOffline.page.user()).then(entries => entries.map(e => ({
    id: e.id, kind: e.kind, state: e.state, errors: e.errors || null, attempts: e.attempts || 0,
    token: e.token, user: e.user, photos: (e.files || []).map(f => f.blob.size), url: e.url,
})))"""
ALL_ENTRIES_JS = """() => FieldOffline.store.open().then(db => db.getAll("outbox")).then(entries =>
    entries.map(e => ({id: e.id, user: e.user, kind: e.kind, state: e.state})))"""
SENT_JS = """() => FieldOffline.store.sent(FieldOffline.page.user())"""
#: How many records an object store of the phone's database holds (any page of the origin).
COUNT_JS = """(name) => new Promise((resolve, reject) => {
    const open = indexedDB.open("haiti-esc-field");
    open.onerror = reject;
    open.onsuccess = () => {
        const count = open.result.transaction(name).objectStore(name).count();
        count.onsuccess = () => { open.result.close(); resolve(count.result); };
    };
})"""


class Phone:
    """One phone: a browser profile in `profile`, opened and closed like a phone's browser."""

    def __init__(self, browser, relay, profile: Path, *, viewport=PHONE, locale="en-US"):
        self.browser_type = browser.browser_type
        self.relay = relay
        self.profile = profile
        self.viewport = viewport
        self.locale = locale
        self.context = None
        self.page = None
        self.dialogs: list[str] = []

    # ---- the browser ----

    def open(self, *, offline: bool = False):
        self.context = self.browser_type.launch_persistent_context(
            str(self.profile),
            executable_path=CHROMIUM,
            args=CHROMIUM_ARGS,
            locale=self.locale,
            viewport=self.viewport,
            service_workers="allow",
        )
        self.context.set_default_timeout(20_000)
        if offline:
            self.context.set_offline(True)
        self.page = self.context.pages[0] if self.context.pages else self.context.new_page()
        self.page.on("dialog", self._accept)
        # What the page loaded, said when an evaluate fails because the page went elsewhere.
        self.navigations: list[str] = []
        self.page.on("framenavigated", lambda frame: frame.parent_frame or self.navigations.append(frame.url))
        return self

    def _accept(self, dialog):
        self.dialogs.append(dialog.message)
        dialog.accept()

    def close(self):
        if self.context is not None:
            self.context.close()
            self.context = self.page = None

    # ---- the network ----

    def offline(self):
        """No network at all: the relay resets every connection, and the browser says offline."""
        self.relay.go_down()
        self.context.set_offline(True)

    def online(self):
        self.relay.come_up()
        self.context.set_offline(False)

    # ---- pages ----

    def goto(self, path: str):
        self.page.goto(f"{self.relay.url}{path}")
        self.wait_started()

    def wait_started(self):
        self.page.wait_for_function("() => window.FieldOffline && window.FieldOffline.ready", timeout=20_000)

    def log_in(self, username: str):
        self.page.goto(f"{self.relay.url}/accounts/login/")
        self.page.fill("input[name=username]", username)
        self.page.fill("input[name=password]", f"pw-{username}")
        self.page.click("main button[type=submit]")
        self.page.wait_for_url(f"{self.relay.url}/field/")
        self.wait_started()

    def log_out(self):
        self.page.click("nav [data-logout]")
        self.page.wait_for_url("**/accounts/login/**")

    def wait_ready(self, timeout: float = 30_000):
        """The pages, the shell and the lists are on the phone: it can work offline."""
        self.page.wait_for_function(
            "() => document.documentElement.dataset.offlineReady === '1'", timeout=timeout
        )

    def worker_version(self):
        return self.page.evaluate("() => FieldOffline.workerVersion()")

    def wait_for_new_worker(self, old: str, *, timeout: float = 40) -> str:
        """The version that took over from `old`.

        A phone's browser stops a worker that has been idle for a while; Chromium never stops
        one that DevTools is attached to (Playwright is), unless the activation asked it to at
        a moment the worker noticed. Half way, the old worker is stopped as an idle phone
        would stop it: the new one must still have asked to take over (skipWaiting), or the
        page it controls keeps the old one in place and this fails."""
        deadline = time.monotonic() + timeout
        stopped = False
        while time.monotonic() < deadline:
            version = self.worker_version()
            if version and version != old:
                return version
            if not stopped and time.monotonic() > deadline - timeout / 2:
                cdp = self.context.new_cdp_session(self.page)
                cdp.send("ServiceWorker.enable")
                cdp.send("ServiceWorker.stopAllWorkers")
                cdp.detach()
                stopped = True
            self.page.wait_for_timeout(250)
        pytest.fail(
            f"the new service worker did not take over from {old}; the sending log: "
            + repr(self.page.evaluate("() => window.FieldOffline && FieldOffline.log"))
        )

    # ---- the outbox ----

    def outbox(self) -> list[dict]:
        try:
            return self.page.evaluate(OUTBOX_JS)
        except Exception as error:
            raise AssertionError(f"the page went elsewhere; its navigations: {self.navigations}") from error

    def all_entries(self) -> list[dict]:
        return self.page.evaluate(ALL_ENTRIES_JS)

    def sent(self) -> list[dict]:
        return self.page.evaluate(SENT_JS)

    def stored(self, store: str) -> int:
        """How many records the phone's database holds in `store` (outbox, lists, sent, meta)."""
        return self.page.evaluate(COUNT_JS, store)

    def saved_here_message(self) -> str:
        return self.page.locator("[data-outbox-message=success] strong").inner_text(timeout=10_000)


def photo(tmp_path: Path, name: str = "chantier.jpg", size=(3000, 2000)) -> Path:
    """A "camera" photo larger than the 1600 px the phone keeps."""
    path = tmp_path / name
    Image.new("RGB", size, (150, 110, 70)).save(path, format="JPEG", quality=95)
    return path


def fill_work(page, *, date="2014-10-06", area="50", picture: Path | None = None, notes=""):
    page.fill("input[name=date]", date)
    page.fill("input[name=completed_area_m2]", area)
    if notes:
        page.fill("textarea[name=notes]", notes)
    if picture is not None:
        page.set_input_files("input[name=photo]", str(picture))
        page.wait_for_timeout(300)


def fill_job(page, *, worker: str, role="Vendeur", start="2014-10-06", site: int | None = None):
    page.fill("input[name=worker]", worker)
    page.fill("input[name=role]", role)
    page.fill("input[name=start_date]", start)
    if site is not None:
        page.check("input[name=is_rehab_work]")
        page.select_option("select[name=site]", str(site))


def submit(page):
    page.click("button[name=submit]")


def wait_until(condition, *, page=None, timeout: float = 30, interval: float = 0.25, message: str = ""):
    """Poll `condition`; with `page`, wait through Playwright so that its events (dialogs) run."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            said = message or f"Condition not met within {timeout} s"
            if page is not None:
                said += (
                    f"\npage {page.url}, its sending log: "
                    + repr(page.evaluate("() => [navigator.onLine, window.FieldOffline && FieldOffline.log]"))
                    + "\noutbox: "
                    + repr(page.evaluate(OUTBOX_JS))
                )
            pytest.fail(said)
        if page is not None:
            page.wait_for_timeout(interval * 1000)
        else:
            time.sleep(interval)

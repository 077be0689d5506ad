"""The login page in a real browser: French by default, Bootstrap served locally, no CDN."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_administrator_logs_in_and_reaches_the_admin(login, live_server, administrator):
    page = login("admin-test", "pw-admin-test")
    page.goto(f"{live_server.url}/admin/")
    assert page.locator("#site-name").is_visible()
    assert "/admin/login" not in page.url


def test_a_wrong_password_shows_a_message_in_french_and_stays_on_login(login, administrator):
    page = login("admin-test", "wrong")
    assert "/accounts/login/" in page.url
    assert "mot de passe" in page.locator(".alert-danger").inner_text().lower()


def test_pages_load_no_asset_from_another_host(page, live_server):
    hosts = set()
    page.on("request", lambda request: hosts.add(request.url.split("/")[2]))
    page.goto(f"{live_server.url}/accounts/login/")
    page.wait_for_load_state("networkidle")
    assert hosts == {live_server.url.split("/")[2]}
    # Bootstrap's stylesheet applied: the primary button is Bootstrap blue.
    colour = page.locator("button.btn-primary").evaluate("b => getComputedStyle(b).backgroundColor")
    assert colour == "rgb(13, 110, 253)"

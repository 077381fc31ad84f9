"""Moderation: what is held, flags, decisions, and who sees held content where."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from accounts.models import AuditEvent
from core.exceptions import Conflict
from ideas import engagement, moderation, services
from ideas.models import Comment, Idea, ModerationCase, Notification
from ideas.selectors import visible_comments
from insights.selectors import journey_map
from journeys.models import Journey, Stage
from tests.conftest import api_as
from tests.factories import (
    CampaignFactory,
    CommentFactory,
    CustomerFactory,
    EmployeeFactory,
    IdeaFactory,
    ModeratorFactory,
)

NEED = "Customers abroad cannot unblock their card without calling us (40 calls a day)."


@pytest.fixture
def premoderated(db):
    return CampaignFactory(audience="everyone", premoderation=True)


@pytest.fixture
def moderator(db):
    return ModeratorFactory(display_name="Mo Moderator")


def _idea(**extra):
    """A submitted idea in a campaign open to everyone (customers see it)."""
    extra.setdefault("campaign", CampaignFactory(audience="everyone"))
    return IdeaFactory(status="submitted", **extra)


def _submit(author, **extra):
    values = {"title": "Unblock the card abroad", "customer_need": NEED}
    values.update(extra)
    return services.idea_submit(author=author, innovation_type="optimization", **values)


class TestScreening:
    def test_it_finds_profanity_and_spam(self):
        assert moderation.screen_text("This is a shit idea") == "Profanity"
        assert moderation.screen_text("a http://a b http://b c www.c d https://d") == "4 links"
        assert moderation.screen_text("Greaaaaaaaaaaaaat") == "Repeated characters"
        assert moderation.screen_text("Scunthorpe class assessment, see http://bank.example") == ""

    def test_a_comment_with_profanity_is_held_and_not_counted(self, customer, employee):
        idea = _idea(author=employee)
        comment = engagement.comment_add(idea=idea, author=customer, body="What a shit form")
        assert comment.moderation == "held"
        idea.refresh_from_db()
        assert idea.comment_count == 0
        case = ModerationCase.objects.get(comment=comment)
        assert (case.cause, case.detail, case.closed_at) == ("suspect", "Profanity", None)
        # The followers (the author) hear nothing until a moderator publishes it.
        assert not Notification.objects.filter(user=employee).exists()
        assert AuditEvent.objects.filter(action="moderation.hold").count() == 1

    def test_a_customer_idea_in_a_premoderated_campaign_is_held(self, customer, premoderated):
        idea = _submit(customer, campaign=premoderated)
        assert (idea.status, idea.moderation) == ("submitted", "held")
        assert ModerationCase.objects.get(idea=idea, comment=None).cause == "premoderation"

    def test_premoderation_is_for_customers_and_drafts_wait(self, employee, customer, premoderated):
        assert _submit(employee, campaign=premoderated).moderation == "published"
        draft = _submit(customer, campaign=premoderated, draft=True)
        assert draft.moderation == "published" and not ModerationCase.objects.exists()
        services.idea_transition(idea=draft, to="submitted", actor=customer)
        draft.refresh_from_db()
        assert draft.moderation == "held"

    def test_a_customer_comment_in_a_premoderated_campaign_is_held(self, customer, premoderated):
        idea = _idea(campaign=premoderated)
        assert engagement.comment_add(idea=idea, author=customer, body="Yes!").moderation == "held"

    def test_moderators_are_never_held(self, manager, moderator):
        idea = _idea()
        assert engagement.comment_add(idea=idea, author=manager, body="shit").moderation == (
            "published"
        )
        assert engagement.comment_add(idea=idea, author=moderator, body="shit").moderation == (
            "published"
        )

    def test_an_authors_edit_is_screened_again(self, employee):
        idea = _submit(employee)
        services.idea_update(idea=idea, actor=employee, proposal="Bullshit bingo")
        assert Idea.objects.get(pk=idea.pk).moderation == "held"

    def test_a_held_idea_does_not_move_forward(self, customer, premoderated, manager):
        from ideas.workflow import TransitionError

        idea = _submit(customer, campaign=premoderated)
        with pytest.raises(TransitionError) as exc:
            services.idea_transition(idea=idea, to="screening", actor=manager)
        assert exc.value.code == "moderation"


class TestDecisions:
    def test_approve_publishes_counts_and_tells_the_followers(self, customer, employee, manager):
        idea = _idea(author=employee)
        engagement.follow_set(idea=idea, user=employee, following=True)
        comment = engagement.comment_add(idea=idea, author=customer, body="Damn slow form")
        case = ModerationCase.objects.get(comment=comment)
        moderation.case_decide(case=case, actor=manager, decision="approved")
        comment.refresh_from_db()
        idea.refresh_from_db()
        assert (comment.moderation, idea.comment_count) == ("published", 1)
        assert Notification.objects.filter(user=employee, verb="commented").count() == 1
        assert Notification.objects.get(user=customer, verb="moderated").message.endswith(
            "is published."
        )
        case.refresh_from_db()
        assert (case.decision, case.closed_by) == ("approved", manager)
        assert AuditEvent.objects.filter(action="moderation.approved", actor=manager).exists()
        with pytest.raises(Conflict):
            moderation.case_decide(case=case, actor=manager, decision="hidden")

    def test_reject_needs_a_reason_the_author_alone_reads(
        self, client, customer, premoderated, manager, employee
    ):
        idea = _submit(customer, campaign=premoderated)
        case = ModerationCase.objects.get(idea=idea)
        with pytest.raises(ValidationError):
            moderation.case_decide(case=case, actor=manager, decision="rejected")
        moderation.case_decide(
            case=case, actor=manager, decision="rejected", reason="Personal data in the text."
        )
        idea.refresh_from_db()
        assert (idea.moderation, idea.moderation_note) == ("rejected", "Personal data in the text.")
        note = Notification.objects.get(user=customer, verb="moderated")
        assert "Personal data in the text." in note.message
        client.force_login(customer)
        page = client.get(reverse("ideas:detail", args=[idea.pk])).content.decode()
        assert "Personal data in the text." in page
        client.force_login(employee)
        assert client.get(reverse("ideas:detail", args=[idea.pk])).status_code == 404
        assert AuditEvent.objects.filter(action="moderation.rejected").exists()

    def test_hide_takes_a_published_comment_away_from_everyone_else(
        self, customer, employee, manager
    ):
        idea = _idea()
        comment = engagement.comment_add(idea=idea, author=customer, body="Call me on 0612")
        moderation.flag_add(user=employee, content=comment, reason="Phone number")
        case = ModerationCase.objects.get(comment=comment)
        moderation.case_decide(case=case, actor=manager, decision="hidden")
        idea.refresh_from_db()
        assert idea.comment_count == 0
        assert list(visible_comments(idea, employee)) == []
        assert list(visible_comments(idea, customer)) == [comment]
        assert AuditEvent.objects.filter(action="moderation.hidden").exists()

    def test_only_moderators_decide(self, customer, employee, premoderated, moderator):
        idea = _submit(customer, campaign=premoderated)
        case = ModerationCase.objects.get(idea=idea)
        with pytest.raises(PermissionDenied):
            moderation.case_decide(case=case, actor=employee, decision="approved")
        moderation.case_decide(case=case, actor=moderator, decision="approved")
        assert Idea.objects.get(pk=idea.pk).moderation == "published"


class TestFlags:
    def test_one_open_flag_per_person_and_the_threshold_holds(self, settings, employee):
        settings.MODERATION_FLAG_THRESHOLD = 2
        idea = _idea(author=employee)
        comment = CommentFactory(idea=idea, author=employee)
        first, second = CustomerFactory(), EmployeeFactory()
        moderation.flag_add(user=first, content=comment, reason="Rude")
        with pytest.raises(Conflict):
            moderation.flag_add(user=first, content=comment, reason="Rude again")
        assert Comment.objects.get(pk=comment.pk).moderation == "published"
        moderation.flag_add(user=second, content=comment, reason="Insulting")
        assert Comment.objects.get(pk=comment.pk).moderation == "held"
        case = ModerationCase.objects.get(comment=comment)
        assert (case.cause, case.flag_count, case.flags.count()) == ("flags", 2, 2)
        assert AuditEvent.objects.filter(action="moderation.flag").count() == 2

    def test_nobody_flags_their_own_or_held_content(self, customer, employee, premoderated):
        idea = _idea(author=employee)
        with pytest.raises(PermissionDenied):
            moderation.flag_add(user=employee, content=idea, reason="Mine")
        held = _submit(customer, campaign=premoderated)
        with pytest.raises(PermissionDenied):
            moderation.flag_add(user=employee, content=held, reason="Spam")
        with pytest.raises(ValidationError):
            moderation.flag_add(user=customer, content=idea, reason="  ")

    def test_after_a_decision_the_same_person_may_flag_again(self, employee, manager):
        idea = _idea()
        flagger = CustomerFactory()
        moderation.flag_add(user=flagger, content=idea, reason="Spam")
        case = ModerationCase.objects.get(idea=idea)
        moderation.case_decide(case=case, actor=manager, decision="approved")
        moderation.flag_add(user=flagger, content=idea, reason="Still spam")
        assert ModerationCase.objects.filter(idea=idea, closed_at__isnull=True).count() == 1

    def test_the_idea_page_form_flags(self, client, customer, employee):
        idea = _idea(author=employee)
        client.force_login(customer)
        response = client.post(reverse("ideas:flag", args=[idea.pk]), {"flag-reason": "Spam"})
        assert response.status_code == 302
        assert ModerationCase.objects.get(idea=idea).flag_count == 1

    def test_the_api_flags_ideas_and_comments(self, customer, employee):
        idea = _idea(author=employee)
        comment = CommentFactory(idea=idea, author=employee)
        api = api_as(customer)
        assert api.post(f"/api/v1/ideas/{idea.pk}/flag/", {"reason": "Spam"}).status_code == 201
        assert api.post(f"/api/v1/ideas/{idea.pk}/flag/", {"reason": "x"}).status_code == 409
        url = f"/api/v1/ideas/{idea.pk}/comments/{comment.pk}/flag/"
        assert api.post(url, {"reason": "Rude"}).status_code == 201
        assert api.post(url, {}).status_code == 400


class TestVisibility:
    """Others do not see held content anywhere; its author and moderators do."""

    @pytest.fixture
    def held(self, customer, premoderated, employee):
        stage = Stage.objects.filter(journey__is_default=True).order_by("order").first()
        idea = _submit(customer, campaign=premoderated, stage=stage, title="Held card idea")
        public = _idea(campaign=premoderated, author=employee)
        comment = engagement.comment_add(idea=public, author=customer, body="Bloody slow")
        return idea, public, comment

    def test_the_board_search_and_api_hide_it_from_others(self, client, held, outsider, employee):
        idea, _, _ = held
        for user in (outsider, employee):
            assert not Idea.objects.visible_to(user).filter(pk=idea.pk).exists()
            client.force_login(user)
            assert "Held card idea" not in client.get(reverse("ideas:board")).content.decode()
            assert "Held card idea" not in client.get("/ideas/?q=held").content.decode()
            assert client.get(reverse("ideas:detail", args=[idea.pk])).status_code == 404
            listed = api_as(user).get("/api/v1/ideas/").json()["results"]
            assert idea.pk not in [row["id"] for row in listed]
            assert api_as(user).get(f"/api/v1/ideas/{idea.pk}/").status_code == 404

    def test_the_author_and_moderators_see_it(self, client, held, customer, manager, moderator):
        idea, public, comment = held
        for user in (customer, manager, moderator):
            assert Idea.objects.visible_to(user).filter(pk=idea.pk).exists()
            assert comment in visible_comments(public, user)
            client.force_login(user)
            page = client.get(reverse("ideas:detail", args=[idea.pk])).content.decode()
            assert 'data-testid="idea-moderation"' in page
        api = api_as(customer)
        assert api.get(f"/api/v1/ideas/{idea.pk}/").json()["moderation"] == "held"
        rows = api.get(f"/api/v1/ideas/{public.pk}/comments/").json()["results"]
        assert [r["moderation"] for r in rows] == ["held"]

    def test_comment_lists_hide_held_comments_from_others(self, client, held, outsider):
        _, public, _ = held
        assert list(visible_comments(public, outsider)) == []
        client.force_login(outsider)
        assert (
            "Bloody slow"
            not in client.get(reverse("ideas:detail", args=[public.pk])).content.decode()
        )
        rows = api_as(outsider).get(f"/api/v1/ideas/{public.pk}/comments/").json()
        assert rows["count"] == 0

    def test_the_journey_map_and_campaign_counts_leave_it_out(self, held, manager, premoderated):
        idea, _, _ = held
        journey = Journey.objects.get(is_default=True)
        stages = {s["id"]: s for s in journey_map(journey=journey, viewer=manager)["stages"]}
        assert stages[idea.stage_id]["ideas"]["total"] == 0
        from ideas.models import Campaign

        assert Campaign.objects.with_counts().get(pk=premoderated.pk).idea_count == 1

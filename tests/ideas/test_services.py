"""Services of the ideas app: submit, update, supports, comments, follows, owner, merge."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone

from ideas import campaigns as campaign_services
from ideas import engagement, services
from ideas.models import Comment, Follow, Idea, IdeaTransition, Support
from ideas.workflow import TransitionError
from tests.factories import (
    CampaignFactory,
    CommentFactory,
    CustomerFactory,
    EmployeeFactory,
    IdeaFactory,
    MomentFactory,
)

NEED = "Travellers find their card blocked abroad (1,100 calls a month in summer)."


def _submit(author, **extra):
    values = {
        "title": "Unblock the card abroad in one tap",
        "customer_need": NEED,
        "innovation_type": "optimization",
    }
    values.update(extra)
    return services.idea_submit(author=author, **values)


class TestSubmit:
    def test_it_submits_logs_and_follows(self, customer, campaign, moment):
        idea = _submit(customer, campaign=campaign, moment=moment)
        assert idea.status == "submitted" and idea.origin == "customer"
        assert idea.stage == moment.stage  # the stage comes from the moment
        steps = list(
            IdeaTransition.objects.filter(idea=idea).values_list("from_status", "to_status")
        )
        assert steps == [("", "draft"), ("draft", "submitted")]
        assert Follow.objects.filter(idea=idea, user=customer).exists()

    def test_it_saves_a_draft(self, employee):
        idea = _submit(employee, draft=True)
        assert idea.status == "draft" and idea.origin == "employee"

    def test_it_refuses_a_moment_of_another_stage_on_the_moment_field(self, employee, stage):
        other = MomentFactory()
        with pytest.raises(ValidationError) as exc:
            _submit(employee, stage=stage, moment=other)
        assert "moment" in exc.value.message_dict
        assert not Idea.objects.exists()

    def test_it_refuses_a_closed_campaign(self, employee):
        closed = CampaignFactory(
            opens_at=timezone.now() - timedelta(days=20),
            closes_at=timezone.now() - timedelta(days=1),
        )
        with pytest.raises(ValidationError) as exc:
            _submit(employee, campaign=closed)
        assert "closed" in exc.value.message_dict["campaign"][0]
        assert not Idea.objects.exists()

    def test_it_refuses_a_campaign_not_for_the_author(self, customer, staff_campaign):
        with pytest.raises(ValidationError) as exc:
            _submit(customer, campaign=staff_campaign)
        assert exc.value.message_dict["campaign"] == ["This campaign is not open to you."]

    def test_it_requires_title_and_need(self, employee):
        with pytest.raises(ValidationError) as exc:
            _submit(employee, title=" ", customer_need="")
        assert {"title", "customer_need"} <= set(exc.value.message_dict)
        assert not Idea.objects.exists()

    def test_authors_edit_only_while_editable(self, employee, manager):
        idea = IdeaFactory(author=employee, status="submitted")
        services.idea_update(idea=idea, actor=employee, title="Better title")
        idea.status = "screening"
        idea.save()
        with pytest.raises(PermissionDenied):
            services.idea_update(idea=idea, actor=employee, title="Too late")
        services.idea_update(idea=idea, actor=manager, title="Manager's wording")
        idea.refresh_from_db()
        assert idea.title == "Manager's wording"
        with pytest.raises(ValidationError):
            services.idea_update(idea=idea, actor=manager, status="launched")


class TestSupports:
    def test_it_counts_employees_and_customers_apart_and_is_idempotent(
        self, employee, customer, outsider
    ):
        idea = IdeaFactory(campaign=CampaignFactory())
        assert engagement.support_add(idea=idea, user=employee) is True
        assert engagement.support_add(idea=idea, user=employee) is False  # double click
        assert engagement.support_add(idea=idea, user=customer) is True
        assert engagement.support_add(idea=idea, user=outsider) is True
        assert engagement.support_remove(idea=idea, user=outsider) is True
        idea.refresh_from_db()
        # 1 employee, 1 customer (the outsider withdrew)
        assert (idea.supports_employees, idea.supports_customers) == (1, 1)
        assert engagement.support_remove(idea=idea, user=customer) is True
        assert engagement.support_remove(idea=idea, user=customer) is False
        idea.refresh_from_db()
        assert (idea.supports_employees, idea.supports_customers) == (1, 0)

    def test_authors_cannot_support_their_own_idea_nor_drafts(self, employee, customer):
        idea = IdeaFactory(author=employee)
        with pytest.raises(PermissionDenied):
            engagement.support_add(idea=idea, user=employee)
        draft = IdeaFactory(status="draft")
        with pytest.raises(PermissionDenied):
            engagement.support_add(idea=draft, user=EmployeeFactory())

    def test_recount_repairs_drifted_counters(self, employee, customer):
        idea = IdeaFactory(campaign=CampaignFactory())
        Support.objects.create(idea=idea, user=employee)
        Support.objects.create(idea=idea, user=customer)
        CommentFactory(idea=idea)
        CommentFactory(idea=idea, is_internal=True)
        CommentFactory(idea=idea, moderation="hidden")
        Idea.objects.filter(pk=idea.pk).update(
            supports_employees=9, supports_customers=9, comment_count=9
        )
        call_command("recount_ideas")
        idea.refresh_from_db()
        # 1 staff support, 1 customer support, 1 public visible comment
        assert (idea.supports_employees, idea.supports_customers, idea.comment_count) == (1, 1, 1)


class TestComments:
    def test_public_comments_count_internal_ones_do_not(self, employee, manager):
        idea = IdeaFactory()
        engagement.comment_add(idea=idea, author=employee, body="Seen this in branch.")
        engagement.comment_add(idea=idea, author=employee, body="Cost?", is_internal=True)
        idea.refresh_from_db()
        assert idea.comment_count == 1

    def test_customers_cannot_write_internal_comments(self, customer):
        idea = IdeaFactory(campaign=CampaignFactory())
        with pytest.raises(ValidationError) as exc:
            engagement.comment_add(idea=idea, author=customer, body="hi", is_internal=True)
        assert "is_internal" in exc.value.message_dict
        assert not Comment.objects.exists()

    def test_a_manager_hides_and_shows_a_comment(self, employee, manager):
        idea = IdeaFactory()
        comment = engagement.comment_add(idea=idea, author=employee, body="Off-topic rant")
        with pytest.raises(PermissionDenied):
            engagement.comment_hide(comment=comment, actor=employee)
        engagement.comment_hide(comment=comment, actor=manager)
        engagement.comment_hide(comment=comment, actor=manager)  # twice: counted once
        idea.refresh_from_db()
        assert idea.comment_count == 0
        engagement.comment_hide(comment=comment, actor=manager, hidden=False)
        idea.refresh_from_db()
        assert idea.comment_count == 1

    def test_followers_hear_about_public_comments_only(self, employee, manager):
        author = EmployeeFactory()
        idea = _submit(author)
        engagement.comment_add(idea=idea, author=employee, body="Internal note", is_internal=True)
        assert not author.notifications.exists()
        engagement.comment_add(idea=idea, author=employee, body="Love it")
        assert author.notifications.get().verb == "commented"


class TestFollowAndOwner:
    def test_follow_and_unfollow_are_idempotent(self, employee):
        idea = IdeaFactory()
        assert engagement.follow_set(idea=idea, user=employee, following=True) is True
        assert engagement.follow_set(idea=idea, user=employee, following=False) is False
        assert engagement.follow_set(idea=idea, user=employee, following=False) is False
        assert not Follow.objects.filter(idea=idea, user=employee).exists()
        assert engagement.follow_set(idea=idea, user=employee, following=True) is True
        assert engagement.follow_set(idea=idea, user=employee, following=True) is True
        assert Follow.objects.filter(idea=idea, user=employee).count() == 1

    def test_the_owner_must_be_an_employee_and_set_by_a_manager(self, manager, employee, customer):
        idea = IdeaFactory()
        with pytest.raises(PermissionDenied):
            services.idea_set_owner(idea=idea, owner=employee, actor=employee)
        with pytest.raises(ValidationError) as exc:
            services.idea_set_owner(idea=idea, owner=customer, actor=manager)
        assert "owner" in exc.value.message_dict
        services.idea_set_owner(idea=idea, owner=employee, actor=manager)
        idea.refresh_from_db()
        assert idea.owner == employee
        assert Follow.objects.filter(idea=idea, user=employee).exists()


class TestMerge:
    def test_it_moves_supports_without_double_counting(self, gates, manager):
        campaign = CampaignFactory()
        source = IdeaFactory(campaign=campaign, title="Card PIN in the app")
        target = IdeaFactory(campaign=campaign, title="Activate the card in the app")
        both = EmployeeFactory()
        only_source_staff = EmployeeFactory()
        only_source_customer = CustomerFactory()
        only_target = CustomerFactory()
        for user in (both, only_source_staff, only_source_customer):
            engagement.support_add(idea=source, user=user)
        for user in (both, only_target):
            engagement.support_add(idea=target, user=user)
        # The target's author supported the source: they cannot support their own idea.
        engagement.support_add(idea=source, user=target.author)
        follower = EmployeeFactory()
        engagement.follow_set(idea=source, user=follower, following=True)
        engagement.follow_set(idea=source, user=source.author, following=True)
        engagement.comment_add(idea=source, author=follower, body="Same as the other one")

        services.idea_merge(source=source, target=target, actor=manager, reason="Duplicate")

        source.refresh_from_db()
        target.refresh_from_db()
        assert source.status == "merged" and source.merged_into == target
        assert IdeaTransition.objects.filter(idea=source, to_status="merged").exists()
        # target supporters: both, only_target, only_source_staff, only_source_customer
        assert (target.supports_employees, target.supports_customers) == (2, 2)
        assert (source.supports_employees, source.supports_customers) == (0, 0)
        assert Support.objects.filter(idea=target).count() == 4
        # followers moved (source author, the follower), comments kept on the source
        assert set(target.follows.values_list("user_id", flat=True)) >= {
            source.author_id,
            follower.pk,
        }
        assert not source.follows.exists()
        assert source.comments.count() == 1 and source.comment_count == 1
        assert follower.notifications.filter(verb="merged").exists()

    def test_it_refuses_self_merged_or_closed(self, gates, manager, employee):
        idea = IdeaFactory()
        with pytest.raises(ValidationError):
            services.idea_merge(source=idea, target=idea, actor=manager)
        with pytest.raises(PermissionDenied):
            services.idea_merge(source=idea, target=IdeaFactory(), actor=employee)
        launched = IdeaFactory(status="launched")
        with pytest.raises(TransitionError):
            services.idea_merge(source=launched, target=idea, actor=manager)
        assert launched.merged_into is None


class TestCampaigns:
    def test_only_managers_create_campaigns_with_valid_dates(self, manager, employee):
        now = timezone.now()
        fields = {
            "title": "Branch of the future",
            "slug": "branch-future",
            "brief": "What should a branch do?",
            "audience": "everyone",
            "opens_at": now,
            "closes_at": now + timedelta(days=30),
        }
        with pytest.raises(PermissionDenied):
            campaign_services.campaign_create(actor=employee, **fields)
        with pytest.raises(ValidationError) as exc:
            campaign_services.campaign_create(actor=manager, **{**fields, "closes_at": now})
        assert "closes_at" in exc.value.message_dict
        campaign = campaign_services.campaign_create(actor=manager, **fields)
        assert campaign.owner == manager and campaign.is_open()
        campaign_services.campaign_update(
            campaign=campaign, actor=manager, closes_at=now + timedelta(1)
        )
        with pytest.raises(ValidationError):
            campaign_services.campaign_create(actor=manager, **fields)  # slug taken

"""The board's cards written in Python (ideas.cards) against the template markup they
replaced: the same ideas, viewers and CSRF token through both, compared byte for byte."""

import pytest
from django.template import RequestContext, Template
from django.test import RequestFactory

from ideas import engagement
from ideas.selectors import board_ideas
from journeys.models import Stage
from tests.factories import CampaignFactory, CustomerFactory, IdeaFactory

pytestmark = pytest.mark.django_db

# The board's card loop as ideas/board.html wrote it before the cards moved to Python
# (its footer was the inline partial the support button swaps).
TEMPLATE_CARDS = """{% load ideas_tags juncture rules %}{% for idea in page.object_list %}
    <li class="card card--link idea-card" id="idea-{{ idea.pk }}">
      <div class="card__meta">{% status_badge idea.status %}{% if idea.stage %}<span>{% icon "route" %} {{ idea.stage.name }}</span>{% endif %}</div>
      <h2 class="card__title"><a href="{% url 'ideas:detail' idea.pk %}">{{ idea.title }}</a></h2>
      <p class="card__excerpt">{{ idea.customer_need|truncatechars:220 }}</p>
      <p class="muted idea-card__by">{{ idea|author_name:user }} · {{ idea.created_at|date_short }}{% if idea.campaign %} · {{ idea.campaign.title }}{% endif %}</p>
      {% partialdef card-support inline %}
      <div class="card__actions" id="card-support-{{ idea.pk }}">
        <span class="idea-card__counts"><span title="Supports">{% icon "thumbs-up" %} {{ idea.supports_total }}<span class="sr-only"> support{{ idea.supports_total|pluralize }}</span></span>
          <span title="Comments">{% icon "message-square" %} {{ idea.comment_count }}<span class="sr-only"> comment{{ idea.comment_count|pluralize }}</span></span></span>
        {% has_perm 'ideas.support_idea' user idea as can_support %}
        {% if can_support %}
        <form method="post" action="{% url 'ideas:support' idea.pk %}" hx-post="{% url 'ideas:support' idea.pk %}" hx-target="#card-support-{{ idea.pk }}" hx-swap="outerHTML">
          {% csrf_token %}<input type="hidden" name="next" value="board"><input type="hidden" name="back" value="{{ query }}">
          {% if idea.is_supported %}<input type="hidden" name="action" value="remove"><button type="submit" class="small" aria-pressed="true">{% icon "check" %} Supported<span class="sr-only">: {{ idea.title }}, withdraw</span></button>
          {% else %}<input type="hidden" name="action" value="add"><button type="submit" class="small primary" aria-pressed="false">{% icon "thumbs-up" %} Support<span class="sr-only">: {{ idea.title }}</span></button>{% endif %}
        </form>
        {% endif %}
      </div>
      {% endpartialdef %}
    </li>
    {% endfor %}"""
# A card's footer (the region its support button swaps), as the template wrote it.
TEMPLATE_FOOTER = """{% load ideas_tags juncture rules %}
      <div class="card__actions" id="card-support-{{ idea.pk }}">
        <span class="idea-card__counts"><span title="Supports">{% icon "thumbs-up" %} {{ idea.supports_total }}<span class="sr-only"> support{{ idea.supports_total|pluralize }}</span></span>
          <span title="Comments">{% icon "message-square" %} {{ idea.comment_count }}<span class="sr-only"> comment{{ idea.comment_count|pluralize }}</span></span></span>
        {% has_perm 'ideas.support_idea' user idea as can_support %}
        {% if can_support %}
        <form method="post" action="{% url 'ideas:support' idea.pk %}" hx-post="{% url 'ideas:support' idea.pk %}" hx-target="#card-support-{{ idea.pk }}" hx-swap="outerHTML">
          {% csrf_token %}<input type="hidden" name="next" value="board"><input type="hidden" name="back" value="{{ query }}">
          {% if idea.is_supported %}<input type="hidden" name="action" value="remove"><button type="submit" class="small" aria-pressed="true">{% icon "check" %} Supported<span class="sr-only">: {{ idea.title }}, withdraw</span></button>
          {% else %}<input type="hidden" name="action" value="add"><button type="submit" class="small primary" aria-pressed="false">{% icon "thumbs-up" %} Support<span class="sr-only">: {{ idea.title }}</span></button>{% endif %}
        </form>
        {% endif %}
      </div>
      """
SEPARATOR = "<!-- python -->"


@pytest.fixture
def ideas(employee, customer, manager):
    campaign = CampaignFactory(audience="everyone", title="Cards & <campaigns>")
    stage = Stage.objects.filter(journey__is_default=True).first()
    long_need = "Customers say: " + "the app logs me out & I lose my <form> " * 10
    rows = [
        IdeaFactory(campaign=campaign, stage=stage, title="Plain <b>title</b> & more"),
        IdeaFactory(campaign=campaign, is_anonymous=True, customer_need=long_need),
        IdeaFactory(campaign=None, stage=None, title="No campaign, no stage"),
        IdeaFactory(campaign=campaign, author=employee, title="The viewer's own"),
        IdeaFactory(campaign=campaign, status="draft", author=employee, title="A draft"),
        IdeaFactory(campaign=campaign, status="rejected", title="Closed"),
        IdeaFactory(campaign=campaign, author=CustomerFactory(), title="From a customer"),
        # a decomposed accent: the filter normalises it
        IdeaFactory(campaign=campaign, customer_need="Cafe\u0301 owners can't take cards."),
    ]
    engagement.support_add(idea=rows[0], user=employee)
    engagement.support_add(idea=rows[0], user=customer)
    engagement.support_add(idea=rows[2], user=manager)
    return rows


@pytest.mark.parametrize("role", ["employee", "customer", "manager"])
@pytest.mark.parametrize("query", ["", "q=a%26b&status=submitted"])
def test_it_writes_the_cards_the_template_wrote(request, ideas, role, query):
    viewer = request.getfixturevalue(role)
    shown = list(board_ideas(viewer, show_closed=True))
    assert len(shown) >= 5
    http = RequestFactory().get("/ideas/")
    http.user = viewer
    both = Template(TEMPLATE_CARDS + SEPARATOR + "{% idea_cards ideas user query %}").render(
        RequestContext(
            http, {"page": {"object_list": shown}, "ideas": shown, "user": viewer, "query": query}
        )
    )
    from_template, from_python = both.split(SEPARATOR)
    assert from_python == from_template
    assert 'aria-pressed="true"' in from_python and 'aria-pressed="false"' in from_python


@pytest.mark.parametrize("supported", [True, False])
def test_it_writes_the_footer_the_support_button_swaps(employee, ideas, supported):
    idea = board_ideas(employee).get(pk=ideas[1].pk)
    idea.is_supported = supported
    http = RequestFactory().post("/")
    http.user = employee
    both = Template(TEMPLATE_FOOTER + SEPARATOR + "{% idea_card_support idea user query %}").render(
        RequestContext(http, {"idea": idea, "user": employee})
    )
    from_template, from_python = both.split(SEPARATOR)
    assert from_python == from_template
    assert ('aria-pressed="true"' in from_python) is supported

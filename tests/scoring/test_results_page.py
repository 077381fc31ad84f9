"""The round's results: ranked cards with each signal's mean against the gate, a split by
function for contested ideas, and the raw / calibrated toggle (a link, or an htmx swap)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from scoring import services, views
from scoring.models import Assignment, IdeaScore
from tests.factories import EmployeeFactory, IdeaFactory, PanelFactory, default_scorecard
from tests.scoring.helpers import SIGNALS as KEYS

# Per reviewer, the value given to every signal of ideas A, B and C. Product and sales
# disagree on A and B.
TABLE = {"product": [5, 1, 3], "sales": [1, 5, 3], "it": [4, 2, 3]}


@pytest.fixture
def closed_round(db, manager, django_capture_on_commit_callbacks):
    people = {f: EmployeeFactory(function=f) for f in TABLE}
    round = services.round_create(
        panel=PanelFactory(members=list(people.values())),
        scorecard=default_scorecard(),
        ideas=[IdeaFactory(status="screening", title=t) for t in "ABC"],
        due_at=timezone.now() + timedelta(days=3),
        actor=manager,
        name="Results round",
    )
    services.round_open(round=round, actor=manager)
    for function, person in people.items():
        for a in Assignment.objects.filter(round=round, reviewer=person):
            value = TABLE[function]["ABC".index(a.idea.title)]
            scores = [{"signal": k, "value": value, "rationale": "r"} for k in KEYS]
            services.scores_save(assignment=a, scores=scores, actor=person)
            services.assignment_submit(assignment=a, actor=person)
    with django_capture_on_commit_callbacks(execute=True):
        services.round_close(round=round, actor=manager)
    round.people = people
    return round


def _card(html, title):
    return html.split(f'result-card__title">{title}</h3>')[1].split("</li>\n    \n")[0]


def test_each_idea_gets_a_bar_per_signal_against_the_gate(client, closed_round, manager):
    client.force_login(manager)
    html = client.get(reverse("scoring:round", args=[closed_round.pk])).content.decode()
    assert html.count('class="card result-card"') == 3
    # C: every reviewer gave 3, so raw and calibrated are 3.00: half way along a 1-5 bar,
    # left of the gate at 3.5 (62.5 %), and marked below it in words, not colour only.
    c = _card(html, "C")
    assert c.count('class="signal-bar__fill is-below" x="0" y="2" width="50.00"') == 4
    assert c.count('x1="62.50"') == 4 and c.count("below the gate") == 4
    assert "Fails the gate" in c
    assert 'aria-current="page">Calibrated' in html


def test_the_raw_toggle_shows_the_plain_means(client, closed_round, manager):
    client.force_login(manager)
    url = reverse("scoring:round", args=[closed_round.pk])
    calibrated = _card(client.get(url).content.decode(), "A").split("contested-split")[0]
    raw_html = client.get(url + "?values=raw").content.decode()
    raw = _card(raw_html, "A").split("contested-split")[0]
    # Every reviewer's mean is 3 with SD 0.8165 (three ideas each): z = ±1.2247 for a 5 or
    # a 1 (product, sales) and +1.2247 for IT's 4. The round: G = 3, S = sqrt(2) = 1.4142.
    # A raw = (5 + 1 + 4) / 3 = 3.33; calibrated = 3 + 1.4142 * (1.2247 / 3) = 3.58.
    assert raw.count('<span class="signal-bar__value">3.33') == 4
    assert calibrated.count('<span class="signal-bar__value">3.58') == 4
    assert 'aria-current="page">Raw' in raw_html and "plain average" in raw_html


def test_htmx_swaps_only_the_results_region(client, closed_round, manager):
    client.force_login(manager)
    url = reverse("scoring:round", args=[closed_round.pk]) + "?values=raw"
    res = client.get(url, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results")
    html = res.content.decode()
    assert html.lstrip().startswith('<section id="results"') and "<html" not in html
    assert "Progress per reviewer" not in html and 'aria-current="page">Raw' in html
    assert "HX-Request" in res["Vary"]
    # Each toggle is a real link too (no JavaScript needed).
    assert 'href="?values=calibrated" hx-get="?values=calibrated"' in html


def test_a_contested_idea_shows_the_split_by_function(client, closed_round, manager):
    a = IdeaScore.objects.get(round=closed_round, idea__title="A")
    assert a.contested  # product and sales 5 vs 1
    client.force_login(manager)
    html = client.get(reverse("scoring:round", args=[closed_round.pk])).content.decode()
    split = _card(html, "A").split('data-testid="contested-split"')[1]
    assert all(name in split for name in ["Product", "Sales", "IT"])
    assert 'data-testid="contested-split"' not in _card(html, "C")


def test_pages_of_results_keep_the_values_shown(client, closed_round, manager, monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", 1)
    client.force_login(manager)
    url = reverse("scoring:round", args=[closed_round.pk])
    html = client.get(url + "?values=raw&page=2").content.decode()
    assert html.count('class="card result-card"') == 1
    assert 'href="?values=raw&amp;page=3"' in html and 'href="?values=raw&amp;page=1"' in html


def test_the_results_region_query_count(client, closed_round, django_assert_num_queries):
    client.force_login(closed_round.people["product"])  # a panelist of the closed round
    url = reverse("scoring:round", args=[closed_round.pk]) + "?values=raw"
    # 1 session, 2 user (with groups, panel membership and unread count), 3 round with panel,
    # scorecard and the count of its results (its last rank), 4 round panel
    # membership (view_results), 5 signals, 6 a page of results with ideas, 7 functions with
    # fewer than two reviewers on those ideas (a panelist is not a manager), 8 their signal
    # results; no nav
    with django_assert_num_queries(8):
        res = client.get(url, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results")
    assert res.status_code == 200


def test_the_whole_page_query_count_for_a_manager(
    client, closed_round, manager, django_assert_num_queries
):
    client.force_login(manager)
    url = reverse("scoring:round", args=[closed_round.pk])
    # 1 session, 2 user (with groups, panel membership, unread count and the moderation
    # queue's waiting count: a manager moderates), 3 round with panel, scorecard (its
    # maintained count of ideas) and the count of its results (its last rank), 4 progress per
    # reviewer (its maintained rows), 5 a page of ideas with their progress, 6 signals, 7 a
    # page of results with ideas, 8 their signal results (a closed round: its panel's
    # coverage is not read)
    with django_assert_num_queries(8):
        res = client.get(url)
    html = res.content.decode()
    assert html.count('class="card result-card"') == 3
    assert "Ideas page" not in html  # one page of ideas: 3, no pagination


# The card and data-table row as the template wrote them before the view did: the view's
# markup must stay the same to the byte.
_CARD_TEMPLATE = """{% load juncture %}{% for row in results %}
    <li class="card result-card" data-idea="{{ row.idea_id }}">
      <div class="result-card__head">
        <p class="result-card__rank"><span class="sr-only">Rank </span>#{{ row.rank }}</p>
        <h3 class="result-card__title">{{ row.idea.title }}</h3>
        <p class="result-card__overall">Overall <strong>{{ row.overall_2f }}</strong></p>
      </div>
      <p class="result-card__badges">{% if row.passes_gate %}<span class="badge ok">{% icon "circle-check" %}Passes the gate</span>{% else %}<span class="badge bad">{% icon "circle-x" %}Fails the gate</span>{% endif %}
        {% if row.contested %}<span class="badge warn">{% icon "triangle-alert" %}Contested</span>{% endif %}
        <span class="muted">{{ row.reviewers }} reviewer{{ row.reviewers|pluralize }} · {{ row.functions }} function{{ row.functions|pluralize }}</span></p>
      <ul class="signal-bars" aria-label="{{ mode_label }} signal means of {{ row.idea.title }}">
        {{ row.bars_html }}
      </ul>
      {% if row.gate_reason %}<p class="result-card__reason"><small>{{ row.gate_reason }}</small></p>{% endif %}
      {% if row.split %}
      <div class="result-split" data-testid="contested-split">
        <h4>Split by function on {{ row.split.signal.name }} <span class="muted">(calibrated, {{ row.split.spread_1f }} apart)</span></h4>
        <ul class="signal-bars signal-bars--split" aria-label="{{ row.split.signal.name }}: mean per function">
          {{ row.split.bars_html }}
        </ul>
        {% if row.contested_reason %}<p><small>{{ row.contested_reason }}</small></p>{% endif %}
      </div>
      {% elif row.contested and row.contested_reason %}<p><small>{{ row.contested_reason }}</small></p>{% endif %}
    </li>
    {% endfor %}"""
_ROW_TEMPLATE = """{% for row in results %}
        <tr data-idea="{{ row.idea_id }}">
          <td class="num">{{ row.rank }}</td><th scope="row">{{ row.idea.title }}</th><td class="num"><strong>{{ row.overall_2f }}</strong></td>
          {{ row.cells_html }}
          <td class="num">{{ row.reviewers }}</td><td class="num">{{ row.functions }}</td>
          <td>{% if row.passes_gate %}<span class="badge ok">✓ passes</span>{% else %}<span class="badge bad">✗ fails</span>{% endif %}</td>
          <td>{% if row.contested %}<span class="badge warn">⚠ contested</span>{% else %}<span class="muted">no</span>{% endif %}</td>
        </tr>
      {% endfor %}"""


@pytest.mark.parametrize("mode", ["calibrated", "raw"])
def test_the_cards_and_rows_are_the_templates_markup(closed_round, mode):
    from types import SimpleNamespace

    from django.template import Context, Template

    from scoring.models import IdeaScore, Signal

    round = closed_round
    signals = list(Signal.objects.for_round(round))
    rows = list(views._results(round, function_means=True))
    # Every branch: a contested idea without a split, one with a reason naming no function, a
    # title and reasons to escape, one reviewer and one function (no plural).
    rows.append(
        SimpleNamespace(
            **{f.attname: getattr(rows[0], f.attname) for f in IdeaScore._meta.concrete_fields},
            pk=None,
            idea=SimpleNamespace(title='Fish & "chips" <now>'),
        )
    )
    extra = rows[-1]
    extra.contested, extra.contested_reason, extra.function_means = True, "a < b", {}
    extra.gate_reason, extra.reviewers, extra.functions, extra.passes_gate = "x & y", 1, 1, False
    extra.function_means_without = lambda thin: {}
    values = views._signal_values(rows[:-1])
    threshold = float(round.scorecard.gate_threshold)
    views._decorate_results(rows, signals, threshold, mode, None, values)
    assert any(r.split for r in rows) and any(r.contested and not r.split for r in rows)
    label = views.RESULT_VALUES[mode]
    cards, table_rows = views._results_html(rows, label)
    context = Context({"results": rows, "mode_label": label})
    assert cards == Template(_CARD_TEMPLATE).render(context)
    assert table_rows == Template(_ROW_TEMPLATE).render(context)


_IDEA_PROGRESS_TEMPLATE = """{% for i in ideas %}
        <tr><td>{{ i.title }}</td><td>{{ i.done }}/{{ i.total }}{% if i.done < i.total and late %} <span class="badge bad">late</span>{% endif %}</td></tr>
      {% empty %}<tr><td colspan="2" class="empty">No ideas in this round.</td></tr>
      {% endfor %}"""


@pytest.mark.parametrize("late", [False, True])
def test_the_progress_per_idea_rows_are_the_templates_markup(late):
    from types import SimpleNamespace

    from django.template import Context, Template

    ideas = [
        SimpleNamespace(title='Fish & "chips" <now>', done=2, total=3),
        SimpleNamespace(title="All in", done=3, total=3),
    ]
    for shown in (ideas, []):
        expected = Template(_IDEA_PROGRESS_TEMPLATE).render(Context({"ideas": shown, "late": late}))
        assert views._idea_progress_html(shown, late) == expected
    # By hand: only the idea still missing a scorecard is late, and only past the due date.
    assert ("late</span>" in views._idea_progress_html(ideas[:1], late)) is late
    assert "late</span>" not in views._idea_progress_html(ideas[1:], late)


def test_the_cached_results_are_never_stale(client, closed_round, manager):
    """A closed round's cards and rows are cached under a digest of what they show: the
    same figures give the same page from the cache, a renamed idea shows at once."""
    client.force_login(manager)
    url = reverse("scoring:round", args=[closed_round.pk])

    def results(html: str) -> str:
        return html.split('<section id="results"')[1].split("</section>")[0]

    first = results(client.get(url).content.decode())
    assert results(client.get(url).content.decode()) == first
    idea = closed_round.ideas.get(title="C")
    type(idea).objects.filter(pk=idea.pk).update(title="C, renamed")
    html = client.get(url).content.decode()
    assert 'result-card__title">C, renamed</h3>' in html
    assert 'result-card__title">C</h3>' not in html
    # The raw values are another fragment: C's raw means are 3.00 on every signal.
    raw = client.get(url, {"values": "raw"}).content.decode()
    assert _card(raw, "C, renamed").count('width="50.00"') == 4


def test_a_cache_that_fails_costs_only_the_rendering(client, closed_round, manager, monkeypatch):
    from core import fragments

    class Down:
        def get(self, *args, **kwargs):
            raise ConnectionError("cache down")

        set = get

    monkeypatch.setattr(fragments, "cache", Down())
    client.force_login(manager)
    html = client.get(reverse("scoring:round", args=[closed_round.pk])).content.decode()
    assert html.count('class="card result-card"') == 3

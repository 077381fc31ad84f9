"""The aggregation method of docs/scoring.md, checked against arithmetic done here in plain Python."""

from math import sqrt

import pytest

from scoring.aggregation import aggregate
from tests.scoring.helpers import SIGNALS, build_round, results

FUNCTIONS = {"Hana": "product", "Leo": "sales", "Nia": "it", "Sam": "service"}
# Hana is harsh, Leo lenient, Nia in between; Sam scores only two ideas (n < 3).
GRID = {
    "importance": {"Hana": [3, 2, 1, 2], "Leo": [5, 5, 4, 4], "Nia": [4, 3, 2, 3], "Sam": [4, 3]},
    "evidence": {"Hana": [2, 2, 1, 1], "Leo": [5, 4, 4, 3], "Nia": [4, 3, 3, 2], "Sam": [5, 1]},
    "uniqueness": {"Hana": [3, 1, 2, 1], "Leo": [5, 4, 4, 4], "Nia": [4, 2, 3, 2], "Sam": [4, 3]},
    "defensibility": {
        "Hana": [3, 2, 2, 1],
        "Leo": [5, 4, 5, 4],
        "Nia": [4, 3, 4, 2],
        "Sam": [4, 3],
    },
}
IDEAS = ["A", "B", "C", "D"]


def table_from(grid):
    return {
        (IDEAS[k], reviewer, signal): value
        for signal, rows in grid.items()
        for reviewer, values in rows.items()
        for k, value in enumerate(values)
    }


def mean(xs):
    return sum(xs) / len(xs)


def psd(xs):
    m = mean(xs)
    return sqrt(sum((x - m) ** 2 for x in xs) / len(xs))


def expected(table, functions, threshold=3.5, min_reviews=3, min_functions=3):
    """The docs/scoring.md method, literally, one score at a time."""
    out = {}
    c_irs = {}  # (idea, reviewer, signal) -> G + S*z
    cal = {}
    for s in SIGNALS:
        xs = [v for (i, r, sig), v in table.items() if sig == s]
        G, S = mean(xs), psd(xs) or 1.0
        for idea in {i for i, _, sig in table if sig == s}:
            zs, raws = [], []
            for (i, r, sig), x in table.items():
                if i != idea or sig != s:
                    continue
                mine = [v for (_, r2, s2), v in table.items() if r2 == r and s2 == s]
                if len(mine) >= 3 and psd(mine) > 0:
                    z = (x - mean(mine)) / psd(mine)
                else:
                    z = (x - G) / S
                zs.append(z)
                raws.append(x)
                c_irs[(idea, r, s)] = G + S * z
            cal[(idea, s)] = (mean(raws), min(5, max(1, G + S * mean(zs))), psd(raws), len(raws))
    for idea in sorted({i for i, _, _ in table}):
        overall = mean([cal[(idea, s)][1] for s in SIGNALS])
        people = {r for i, r, _ in table if i == idea}
        funcs = {functions[r] for r in people}
        means = {
            f: {
                s: mean(
                    [
                        v
                        for (i, r, sig), v in c_irs.items()
                        if i == idea and sig == s and functions[r] == f
                    ]
                )
                for s in SIGNALS
            }
            for f in funcs
        }
        spread = max(
            max(m[s] for m in means.values()) - min(m[s] for m in means.values()) for s in SIGNALS
        )
        passes = (
            all(cal[(idea, s)][1] >= threshold for s in SIGNALS)
            and len(people) >= min_reviews
            and len(funcs) >= min_functions
        )
        out[idea] = {
            "overall": overall,
            "signals": {s: cal[(idea, s)] for s in SIGNALS},
            "reviewers": len(people),
            "functions": len(funcs),
            "passes": passes,
            "contested": spread >= 1.5,
            "means": means,
        }
    order = sorted(out, key=lambda i: (-round(out[i]["overall"], 9), -out[i]["reviewers"], i))
    for rank, idea in enumerate(order, start=1):
        out[idea]["rank"] = rank
    return out


def test_it_computes_the_worked_example_exactly(db):
    table = table_from(GRID)
    round, _, _ = build_round(table, FUNCTIONS)
    assert aggregate(round.pk) == 4
    got = results(round)
    want = expected(table, FUNCTIONS)
    for idea in IDEAS:
        rank, overall, passes, contested, reviewers, functions, signals, means = got[idea]
        w = want[idea]
        assert rank == w["rank"], idea
        assert overall == pytest.approx(w["overall"], abs=1e-8)
        assert (reviewers, functions) == (w["reviewers"], w["functions"])
        assert passes is w["passes"], idea
        assert contested is w["contested"], idea
        for s in SIGNALS:
            assert signals[s] == pytest.approx(w["signals"][s], abs=1e-8), (idea, s)
        assert set(means) == set(w["means"])
        for f, per in w["means"].items():
            assert means[f] == pytest.approx(per, abs=1e-8)


def round_(x):
    return round(x, 2)


def test_it_checks_a_few_numbers_by_hand(db):
    """Importance, idea A, worked out on paper (docs/scoring.md walks through the same)."""
    table = table_from(GRID)
    round, _, _ = build_round(table, FUNCTIONS)
    aggregate(round.pk)
    # 14 importance scores sum to 45 and their squares to 163.
    G = 45 / 14
    S = sqrt(163 / 14 - G**2)
    # Hana: mean 2, sd sqrt(0.5); Leo: mean 4.5, sd 0.5; Nia: mean 3, sd sqrt(0.5);
    # Sam has 2 scores, so his z uses the round's G and S.
    z = [(3 - 2) / sqrt(0.5), (5 - 4.5) / 0.5, (4 - 3) / sqrt(0.5), (4 - G) / S]
    raw, calibrated, sd, n = results(round)["A"][6]["importance"]
    assert n == 4
    assert raw == pytest.approx((3 + 5 + 4 + 4) / 4)
    assert calibrated == pytest.approx(G + S * sum(z) / 4, abs=1e-8)
    assert calibrated == pytest.approx(4.507, abs=0.0005)
    assert sd == pytest.approx(sqrt(((3 - 4) ** 2 + 1 + 0 + 0) / 4), abs=1e-8)
    # The results table of docs/scoring.md.
    got = results(round)
    assert [got[i][0] for i in IDEAS] == [1, 2, 3, 4]
    assert [round_(got[i][1]) for i in IDEAS] == [4.57, 2.83, 2.80, 1.94]
    assert got["B"][7]["product"]["evidence"] == pytest.approx(4.21, abs=0.005)
    assert got["B"][7]["service"]["evidence"] == pytest.approx(1.00, abs=0.005)


def test_it_corrects_a_harsh_reviewer(db):
    table = table_from(GRID)
    round, _, _ = build_round(table, FUNCTIONS)
    aggregate(round.pk)
    # Hana's 3 is her best importance score: calibrated as a product-function mean well above 3.
    assert results(round)["A"][7]["product"]["importance"] > 4.5


def test_it_flags_the_contested_idea_with_the_split(db):
    table = table_from(GRID)
    round, ideas, _ = build_round(table, FUNCTIONS)
    aggregate(round.pk)
    score = round.results.get(idea=ideas["B"])
    assert score.contested
    # Evidence of need: product (Hana's 2 is high for her) 4.21 against service (Sam) 1.00.
    assert "Evidence of need: product 4.21 vs service 1.00" in score.contested_reason
    assert not round.results.get(idea=ideas["A"]).contested


def test_it_passes_the_gate_only_for_the_idea_above_the_threshold(db):
    round, ideas, _ = build_round(table_from(GRID), FUNCTIONS)
    aggregate(round.pk)
    passing = {s.idea.title for s in round.results.filter(passes_gate=True).select_related("idea")}
    assert passing == {"A"}
    assert round.results.get(idea=ideas["A"]).rank == 1


def test_it_clamps_to_the_scale_and_fails_the_gate_with_a_reason(db):
    # Two reviewers, one function: never passes (min reviews 3, min functions 3).
    table = {("X", r, s): 5 for r in ["P", "Q"] for s in SIGNALS}
    table |= {("Y", r, s): 1 for r in ["P", "Q"] for s in SIGNALS}
    round, ideas, _ = build_round(table, {"P": "sales", "Q": "sales"})
    aggregate(round.pk)
    got = results(round)
    assert got["X"][0] == 1 and got["Y"][0] == 2
    for s in SIGNALS:
        assert 1 <= got["Y"][6][s][1] <= 5 and 1 <= got["X"][6][s][1] <= 5
    x = round.results.get(idea=ideas["X"])
    assert not x.passes_gate
    assert "2 reviewers, 3 needed" in x.gate_reason
    assert "1 functions, 3 needed" in x.gate_reason


def test_it_is_idempotent(db):
    table = table_from(GRID)
    round, _, _ = build_round(table, FUNCTIONS)
    aggregate(round.pk)
    first = results(round)
    ids = sorted(round.results.values_list("id", flat=True))
    aggregate(round.pk)
    assert results(round) == first
    assert sorted(round.results.values_list("id", flat=True)) == ids


def test_it_drops_results_of_ideas_no_longer_scored(db):
    table = table_from(GRID)
    round, ideas, _ = build_round(table, FUNCTIONS)
    aggregate(round.pk)
    from scoring.models import Score

    Score.objects.filter(assignment__idea=ideas["D"]).delete()
    assert aggregate(round.pk) == 3
    assert set(results(round)) == {"A", "B", "C"}


def test_it_counts_only_submitted_scorecards(db):
    # Three reviewers submitted 4 on every signal of X; a fourth saved 1s but never submitted.
    table = {("X", r, s): 4 for r in ["P", "Q", "R"] for s in SIGNALS}
    table |= {("X", "D", s): 1 for s in SIGNALS}
    functions = {"P": "sales", "Q": "service", "R": "it", "D": "finance"}
    round, ideas, reviewers = build_round(table, functions)
    from scoring.models import Assignment

    Assignment.objects.filter(reviewer=reviewers["D"]).update(submitted_at=None)
    aggregate(round.pk)
    x = round.results.get(idea=ideas["X"])
    # Only P, Q and R count: every signal's raw mean is 4, three reviewers, three functions.
    assert (x.reviewers, x.functions) == (3, 3)
    assert x.overall == pytest.approx(4.0)
    assert x.passes_gate
    assert "finance" not in x.function_means


def test_it_clamps_to_each_signals_configured_scale(db):
    from scoring.models import Signal

    # Importance on a 1-10 scale: A scores 10 from everyone, B 1; calibration stretches them
    # beyond the raw values only within 1..10 (a 1-5 clamp would cap A at 5).
    Signal.objects.filter(key="importance").update(scale_max=10)
    table = {("A", r, s): (10 if s == "importance" else 5) for r in "PQR" for s in SIGNALS}
    table |= {("B", r, s): 1 for r in "PQR" for s in SIGNALS}
    round, _, _ = build_round(table, {"P": "sales", "Q": "service", "R": "it"})
    aggregate(round.pk)
    got = results(round)
    # G = 5.5, S = 4.5 over the six importance scores; A's z is +1, so C = 10 (not 5).
    assert got["A"][6]["importance"][1] == pytest.approx(10.0)
    assert got["B"][6]["importance"][1] == pytest.approx(1.0)

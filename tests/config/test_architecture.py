"""Dependencies point one way (``config.layers.LAYERS``): no app uses an app above it.

Every Python module of every app (migrations aside: they are history, and the model check
below covers what they create) is parsed, not imported, and fails the check when it
- imports an app above it (also inside a function);
- names a model of a higher app as ``"app_label.Model"`` or through ``apps.get_model``;
- hops across relations through ``_meta`` (``related_model``, ``remote_field``), which is how
  a lower app reached a higher app's model without importing it;
- uses an ORM relation path (``ideas__allocations__amount``, ``stage.ideas``) that crosses a
  reverse relation a higher app declared.
And no model field points from an app to a higher one.
"""

import ast
from pathlib import Path

import pytest
from django.apps import apps

from config.layers import LAYERS, rank

ROOT = Path(__file__).resolve().parents[2]


def _modules(app: str):
    for path in sorted((ROOT / app).rglob("*.py")):
        if "migrations" not in path.parts:
            yield path


def _higher_reverse_names(app: str) -> dict[str, str]:
    """Relation names that lead from ``app`` (or below) into a higher app: the accessors and
    query names of relations that a higher app's models declare towards lower models."""
    mine = rank(app)
    names: dict[str, str] = {}
    for model in apps.get_models():
        owner = rank(model._meta.app_label)
        if owner is None or owner <= mine:
            continue
        for field in model._meta.get_fields():
            if not field.is_relation or field.auto_created or field.related_model is None:
                continue
            target = rank(field.related_model._meta.app_label)
            if target is None or target > mine:
                continue
            remote = field.remote_field
            for name in {remote.get_accessor_name(), field.related_query_name()}:
                if name and not name.startswith("+") and not name.endswith("+"):
                    names[name] = model._meta.label
    return names


def _violations(app: str) -> list[tuple[str, str]]:
    mine = rank(app)
    reverse_names = _higher_reverse_names(app)
    found = []

    def higher(label: str) -> bool:
        other = rank(label)
        return other is not None and other > mine

    def path_segments(text: str) -> list[str]:
        return text.split("__") if text.replace("_", "").isalnum() else []

    for path in _modules(app):
        where = str(path.relative_to(ROOT))
        tree = ast.parse(path.read_text(), filename=where)
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found += [
                    (where, f"import {a.name}") for a in node.names if higher(a.name.split(".")[0])
                ]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                if higher(node.module.split(".")[0]):
                    found.append((where, f"import {node.module}"))
            elif isinstance(node, ast.Attribute):
                if node.attr in {"related_model", "remote_field"}:
                    found.append((where, f"_meta hop .{node.attr}"))
                elif node.attr in reverse_names and isinstance(node.ctx, ast.Load):
                    found.append((where, f"relation {node.attr} -> {reverse_names[node.attr]}"))
            elif isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "get_model":
                args = [a.value for a in node.args if isinstance(a, ast.Constant)]
                if args and higher(str(args[0]).split(".")[0]):
                    found.append((where, f"get_model {'.'.join(map(str, args))}"))
            elif isinstance(node, ast.keyword) and node.arg:
                segments = node.arg.split("__")
                if len(segments) > 1 and any(s in reverse_names for s in segments):
                    found.append((where, f"relation path {node.arg}"))
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                text = node.value.lstrip("-")
                label, _, model = text.partition(".")
                if model[:1].isupper() and model.isidentifier() and higher(label):
                    found.append((where, f"model string {text}"))
                segments = path_segments(text)
                if len(segments) > 1 and any(s in reverse_names for s in segments):
                    found.append((where, f"relation path {text}"))
    return found


def _field_violations() -> list[tuple[str, str]]:
    found = []
    for model in apps.get_models():
        mine = rank(model._meta.app_label)
        if mine is None:
            continue
        for field in model._meta.get_fields():
            if not field.is_relation or field.auto_created or field.related_model is None:
                continue
            other = rank(field.related_model._meta.app_label)
            if other is not None and other > mine:
                found.append(
                    (
                        f"{model._meta.label}.{field.name}",
                        f"field -> {field.related_model._meta.label}",
                    )
                )
    return found


def _present_apps() -> list[str]:
    return [app for app in LAYERS if (ROOT / app).is_dir()]


@pytest.mark.parametrize("app", _present_apps())
def test_no_app_reaches_an_app_above_it(app):
    unexpected = list(_violations(app))
    assert unexpected == [], f"{app} reaches above itself (see config/layers.py)"


def test_no_model_field_points_to_a_higher_app():
    assert list(_field_violations()) == []


def test_core_imports_no_app():
    for path in sorted((ROOT / "core").rglob("*.py")):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            modules = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module]
                if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module
                else []
            )
            assert not [m for m in modules if rank(m.split(".")[0]) is not None], path


def test_every_installed_app_of_the_project_has_a_layer():
    project = {c.label for c in apps.get_app_configs() if (ROOT / c.label).is_dir()}
    assert project - {"core", "config"} <= set(LAYERS)


def test_the_check_catches_what_it_is_for(tmp_path, monkeypatch):
    """A lower app that imports, names, hops or walks into a higher app is caught."""
    bad = tmp_path / "journeys"
    bad.mkdir()
    (bad / "bad.py").write_text(
        "from budgets.models import Allocation\n"
        "import scoring.models\n"
        "X = 'ideas.Idea'\n"
        "def f(Stage, apps, Q):\n"
        "    Stage._meta.get_field('ideas').related_model\n"
        "    apps.get_model('scoring', 'IdeaScore')\n"
        "    Q(ideas__status='x')\n"
        "    Stage.objects.values('ideas__allocations__amount')\n"
    )
    monkeypatch.setattr(__import__(__name__, fromlist=["ROOT"]), "ROOT", tmp_path)
    kinds = {what.split(" ")[0] for _, what in _violations("journeys")}
    assert kinds == {"import", "model", "_meta", "get_model", "relation"}

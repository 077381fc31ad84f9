from django.apps import AppConfig


class ScoringConfig(AppConfig):
    name = "scoring"
    verbose_name = "Scoring"

    def ready(self) -> None:
        from ideas.workflow import register_gate
        from scoring import gates
        from scoring import rules as _rules  # noqa: F401  (registers the permissions)

        register_gate("in_review", gates.in_open_round, fix=gates.round_fix)
        register_gate("shortlisted", gates.passes_signal_gate, fix=gates.results_fix)

from django.apps import AppConfig


class ScoringConfig(AppConfig):
    name = "scoring"
    verbose_name = "Scoring"

    def ready(self) -> None:
        from accounts import layout
        from ideas.workflow import register_gate
        from scoring import (
            gates,
            rules,  # registers the permissions
        )

        # "My reviews" in the navigation, loaded with the signed-in user (accounts.layout).
        layout.register("_scoring_is_panelist", rules.is_panelist_expression)
        register_gate("in_review", gates.in_open_round, fix=gates.round_fix)
        register_gate("shortlisted", gates.passes_signal_gate, fix=gates.results_fix)

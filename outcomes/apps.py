from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "outcomes"
    verbose_name = "Outcomes"

    def ready(self) -> None:
        # ideas owns the workflow but not the experiments: the gates into and out of
        # "in_experiment" are ours to register (an unregistered gate refuses the move).
        from ideas.workflow import register_gate
        from outcomes import gates
        from outcomes import rules as _rules  # noqa: F401  (registers the permissions)

        register_gate("in_experiment", gates.experiment_ready, fix=gates.experiment_fix)
        register_gate("launched", gates.decided_to_scale, fix=gates.decide_fix)
        register_gate("parked", gates.decided_to_stop_or_iterate, fix=gates.decide_fix)

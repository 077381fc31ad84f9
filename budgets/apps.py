from django.apps import AppConfig


class BudgetsConfig(AppConfig):
    name = "budgets"
    verbose_name = "Budgets"

    def ready(self) -> None:
        # ideas owns the workflow but not the money: the "funded" gate is ours to register.
        from budgets.gates import allocate_fix, funded_gate
        from ideas.workflow import register_gate

        register_gate("funded", funded_gate, fix=allocate_fix)

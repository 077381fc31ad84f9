from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "feedback"
    verbose_name = "Feedback"

    def ready(self) -> None:
        # Linked feedback is evidence of an idea's need: ideas asks through this source
        # (customers affected, the review gate, the idea page's evidence section, and the
        # top verbatims a new idea started from a painful moment takes).
        from feedback import selectors, services
        from ideas.evidence import EvidenceSource, register_evidence_source

        register_evidence_source(
            EvidenceSource(
                name="feedback",
                customers=selectors.customers_by_idea,
                exists=selectors.has_linked,
                exists_expression=selectors.has_linked_expression,
                panel=selectors.evidence_panel,
                describe=selectors.describe_pain_evidence,
                attach=lambda idea, key, actor: services.pain_evidence_attach(
                    idea=idea, key=key, actor=actor
                ),
            )
        )

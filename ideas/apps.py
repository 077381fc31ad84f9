from django.apps import AppConfig


class IdeasConfig(AppConfig):
    name = "ideas"
    verbose_name = "Ideas"

    def ready(self) -> None:
        from accounts import layout, privacy
        from ideas import privacy as ideas_privacy
        from ideas.moderation import waiting_expression
        from ideas.notifications import unread_count_expression

        privacy.register("ideas", export=ideas_privacy.export, erase=ideas_privacy.erase)
        # The bell's number, loaded with the signed-in user (see accounts.layout).
        layout.register("_unread_notifications", unread_count_expression)
        # The moderators' nav number (the Manage menu and its Moderation link), likewise;
        # NULL for everyone else, who never see it.
        layout.register("_moderation_waiting", waiting_expression)

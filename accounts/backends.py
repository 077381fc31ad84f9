from django.contrib.auth.backends import ModelBackend


class EmailBackend(ModelBackend):
    """Signs people in by e-mail (the User's USERNAME_FIELD) and grants no model permissions.

    Every permission in Juncture is a named django-rules rule (``<app>/rules.py``); Django's
    per-model permission tables are unused, and the admin is for superusers, who pass every
    check without them. Without this, each page whose navigation asks a rule that says "no"
    would fall through to two permission-table queries.

    A password is refused for an address whose identity provider has switched local
    passwords off: the one check behind the login page, the admin and the API token endpoint.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is not None:
            from accounts.sso import sso_only_route

            if sso_only_route(user.email, request) is not None:
                return None
        return user

    def get_user(self, user_id):
        """The signed-in user of a session, loaded with what the shared layout needs (group
        names, and what other apps register in ``accounts.layout``) in the same query."""
        from django.contrib.auth import get_user_model

        from accounts import layout

        user = layout.load_user(get_user_model(), user_id)
        return user if user is not None and self.user_can_authenticate(user) else None

    def get_user_permissions(self, user_obj, obj=None) -> set:
        return set()

    def get_group_permissions(self, user_obj, obj=None) -> set:
        return set()

"""REST API of the ideas app, mounted under /api/v1/ by config.api."""

api_urlpatterns: list = []

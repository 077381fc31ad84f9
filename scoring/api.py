"""REST API of the scoring app, mounted under /api/v1/ by config.api."""

api_urlpatterns: list = []

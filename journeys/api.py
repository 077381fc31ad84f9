"""REST API of the journeys app, mounted under /api/v1/ by config.api."""

api_urlpatterns: list = []

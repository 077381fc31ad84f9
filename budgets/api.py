"""REST API of the budgets app, mounted under /api/v1/ by config.api."""

api_urlpatterns: list = []

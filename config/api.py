"""The /api/v1/ URL tree. Each app exposes ``api_urlpatterns`` in its ``api.py``."""

from django.urls import include, path

from accounts.api import api_urlpatterns as accounts_api
from accounts.api import obtain_token
from budgets.api import api_urlpatterns as budgets_api
from feedback.api import api_urlpatterns as feedback_api
from ideas.api import api_urlpatterns as ideas_api
from insights.api import api_urlpatterns as insights_api
from journeys.api import api_urlpatterns as journeys_api
from outcomes.api import api_urlpatterns as outcomes_api
from scoring.api import api_urlpatterns as scoring_api

urlpatterns = [
    path("auth/token/", obtain_token, name="token"),
    # Ideas first, the busiest (support toggles): no other app's patterns start with ideas/
    # or campaigns/, and ideas' own match nothing else (an idea's experiments and value are
    # outcomes' ``ideas/<id>/experiments/``, ``ideas/<id>/value/``, which no ideas pattern takes).
    path("", include((ideas_api, "ideas"))),
    path("", include((accounts_api, "accounts"))),
    # Before journeys and budgets: the map and the summary sit under their paths.
    path("", include((insights_api, "insights"))),
    path("", include((journeys_api, "journeys"))),
    path("", include((feedback_api, "feedback"))),
    path("", include((scoring_api, "scoring"))),
    path("budgets/", include((budgets_api, "budgets"))),
    path("", include((outcomes_api, "outcomes"))),
]

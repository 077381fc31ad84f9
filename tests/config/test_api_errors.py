import pytest

pytestmark = pytest.mark.django_db


def test_a_wrong_method_gets_the_common_error_body(api):
    response = api.get("/api/v1/auth/token/")
    assert response.status_code == 405
    assert response.json() == {"detail": 'Method "GET" not allowed.', "code": "method_not_allowed"}


def test_an_unknown_api_path_is_404(api, employee):
    api.force_authenticate(employee)
    assert api.get("/api/v1/does-not-exist/").status_code == 404


def test_it_answers_404_for_an_object_the_caller_may_not_see_and_403_when_only_the_action_is_refused(
    customer, executive
):
    from tests import factories
    from tests.conftest import api_as

    round = factories.ReviewRoundFactory()
    fy = factories.FiscalYearFactory()
    # A customer may not see review rounds or fiscal years at all: as if they did not exist.
    assert api_as(customer).get(f"/api/v1/rounds/{round.pk}/").status_code == 404
    assert api_as(customer).get(f"/api/v1/budgets/fiscal-years/{fy.pk}/").status_code == 404
    # An executive sees the fiscal year but may not change it.
    response = api_as(executive).patch(
        f"/api/v1/budgets/fiscal-years/{fy.pk}/", {"currency": "USD"}, format="json"
    )
    assert response.status_code == 403

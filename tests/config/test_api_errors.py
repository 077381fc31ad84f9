import pytest

pytestmark = pytest.mark.django_db


def test_a_wrong_method_gets_the_common_error_body(api):
    response = api.get("/api/v1/auth/token/")
    assert response.status_code == 405
    assert response.json() == {"detail": 'Method "GET" not allowed.', "code": "method_not_allowed"}


def test_an_unknown_api_path_is_404(api, employee):
    api.force_authenticate(employee)
    assert api.get("/api/v1/does-not-exist/").status_code == 404

import pytest

from config.celery import app as celery_app


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # These tests create many users through factories; PBKDF2 would dominate their run time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _eager_tasks(request, settings):
    """Run tasks in process, as the embedded default does, even when CELERY_BROKER_URL is
    set for the run; only tests with a real worker send them to the broker."""
    if "celery_worker_process" in request.fixturenames:
        yield
        return
    before = (celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates)
    celery_app.conf.task_always_eager = settings.CELERY_TASK_ALWAYS_EAGER = True
    celery_app.conf.task_eager_propagates = True
    yield
    celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates = before

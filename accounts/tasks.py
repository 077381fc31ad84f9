"""Celery tasks of the accounts app: thin, by id, safe to run twice."""

from celery import shared_task

from accounts import services


@shared_task(
    name="accounts.signup_attempt_notice",
    autoretry_for=(OSError,),
    retry_backoff=True,
    retry_kwargs={"max_retries": 5},
)
def signup_attempt_notice_task(user_id: int) -> bool:
    """Tell an account's owner that someone tried to sign up with their address."""
    return services.signup_attempt_notice_send(user_id=user_id)

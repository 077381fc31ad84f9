import hashlib

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

MANAGERS_GROUP = "Innovation managers"
EXECUTIVES_GROUP = "Executives"
# Moderators work the moderation queue (innovation managers moderate too).
MODERATORS_GROUP = "Moderators"


def role_group(name: str):
    """The role's group. Created by a data migration; recreated if a test flush removed it."""
    from django.contrib.auth.models import Group

    return Group.objects.get_or_create(name=name)[0]


class Kind(models.TextChoices):
    STAFF = "staff", "Employee"
    CUSTOMER = "customer", "Customer"


class Function(models.TextChoices):
    MARKETING = "marketing", "Marketing"
    SALES = "sales", "Sales"
    PRODUCT = "product", "Product"
    SERVICE = "service", "Service"
    IT = "it", "IT"
    FINANCE = "finance", "Finance"
    OPERATIONS = "operations", "Operations"
    OTHER = "other", "Other"


class UserManager(BaseUserManager):
    """E-mail is the login; there is no username."""

    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        extra.setdefault("kind", Kind.STAFF)
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, email: str):
        return self.get(email__iexact=email)


class User(AbstractUser):
    """A person using Juncture: an employee (``kind=staff``) or a customer.

    ``is_staff`` keeps Django's meaning (may use the admin); ``kind`` says whether the
    person works for us. Roles are the groups named in MANAGERS_GROUP and EXECUTIVES_GROUP.
    """

    username = None
    first_name = None
    last_name = None
    email = models.EmailField("e-mail address", unique=True)
    display_name = models.CharField(max_length=80)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.CUSTOMER)
    function = models.CharField(max_length=12, choices=Function.choices, blank=True)

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["display_name"]

    objects = UserManager()

    class Meta:
        ordering = ["display_name", "id"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
            models.CheckConstraint(
                condition=models.Q(kind=Kind.STAFF) | models.Q(function=""),
                name="user_customer_has_no_function",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name or self.email

    def get_full_name(self) -> str:
        return self.display_name

    def get_short_name(self) -> str:
        return self.display_name

    @property
    def is_employee(self) -> bool:
        return self.kind == Kind.STAFF

    @property
    def is_customer(self) -> bool:
        return self.kind == Kind.CUSTOMER


class AuditEvent(models.Model):
    """Append-only record of a sensitive action (transitions, merges, overrides, allocations,
    role changes). Written through ``accounts.audit.audit_record``; never updated or deleted
    by the application; the admin shows it read-only; on PostgreSQL a trigger refuses
    UPDATE and DELETE outright."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    # No database FK: deleting a user must not rewrite history (and the trigger would refuse
    # the SET NULL anyway). The label keeps who it was.
    actor = models.ForeignKey(
        "accounts.User",
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_label = models.CharField(max_length=200, blank=True)
    action = models.CharField(max_length=40, db_index=True)
    target_type = models.CharField(max_length=40, blank=True)
    target_id = models.CharField(max_length=40, blank=True)
    summary = models.CharField(max_length=300)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"], name="audit_target")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.summary}"


def token_digest(key: str) -> str:
    """What the database keeps of an API token: its SHA-256. Keys are 160 random bits, so a
    plain hash is enough; a stolen database does not hand out working tokens."""
    return hashlib.sha256(key.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def live(self, now=None):
        now = now or timezone.now()
        return self.filter(models.Q(expires__isnull=True) | models.Q(expires__gt=now))


class ApiToken(models.Model):
    """An API token: ``Authorization: Token <key>``. Only the key's digest is stored (the
    key is shown once, when created); ``prefix`` lets its owner recognise it in a list.
    Ends at ``expires`` (``API_TOKEN_TTL_DAYS``), when revoked, when the password changes or
    the account is deactivated (``accounts.services``; ``auth_hash`` also refuses a token
    minted before a password change made by any other path)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    # HMAC of the password hash when the token was made (Django's session auth hash).
    auth_hash = models.CharField(max_length=128)
    created = models.DateTimeField(default=timezone.now)
    expires = models.DateTimeField(null=True, blank=True)
    last_used = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    def is_expired(self, now=None) -> bool:
        return self.expires is not None and self.expires <= (now or timezone.now())

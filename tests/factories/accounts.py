import factory

from accounts.models import EXECUTIVES_GROUP, MANAGERS_GROUP, MODERATORS_GROUP, User, role_group

PASSWORD = "correct-horse-battery"

__all__ = [
    "PASSWORD",
    "CustomerFactory",
    "EmployeeFactory",
    "ExecutiveFactory",
    "ManagerFactory",
    "ModeratorFactory",
    "UserFactory",
]


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    display_name = factory.Sequence(lambda n: f"Person {n}")
    kind = "customer"
    function = ""
    password = factory.django.Password(PASSWORD)


class CustomerFactory(UserFactory):
    kind = "customer"


class EmployeeFactory(UserFactory):
    kind = "staff"
    function = factory.Iterator(["marketing", "sales", "product", "service", "it"])


class ManagerFactory(EmployeeFactory):
    @factory.post_generation
    def role(obj, create, extracted, **kwargs):
        if create:
            obj.groups.add(role_group(MANAGERS_GROUP))


class ExecutiveFactory(EmployeeFactory):
    @factory.post_generation
    def role(obj, create, extracted, **kwargs):
        if create:
            obj.groups.add(role_group(EXECUTIVES_GROUP))


class ModeratorFactory(EmployeeFactory):
    """An employee with the moderator role (not an innovation manager)."""

    @factory.post_generation
    def role(obj, create, extracted, **kwargs):
        if create:
            obj.groups.add(role_group(MODERATORS_GROUP))

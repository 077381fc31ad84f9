"""Every outcomes rule against every role, on an idea the owner is accountable for."""

import pytest

from tests import factories

pytestmark = pytest.mark.django_db

READ = ["outcomes.view_experiment", "outcomes.view_value"]
WRITE = [
    "outcomes.add_experiment",
    "outcomes.change_experiment",
    "outcomes.add_measurement",
    "outcomes.decide_experiment",
    "outcomes.add_value",
]
# role -> (reads, writes)
EXPECTED = {
    "owner": (True, True),
    "manager": (True, True),
    "employee": (True, False),  # another employee
    "executive": (True, False),
    "customer": (False, False),  # internal facts and money: never
    "outsider": (False, False),
}


@pytest.fixture
def people(owner, manager, employee, executive, customer, outsider):
    return {
        "owner": owner,
        "manager": manager,
        "employee": employee,
        "executive": executive,
        "customer": customer,
        "outsider": outsider,
    }


@pytest.mark.parametrize("role", sorted(EXPECTED))
def test_each_role_against_each_rule(people, role, owner):
    campaign = factories.CampaignFactory(audience="everyone")  # customers may see the idea
    idea = factories.IdeaFactory(status="funded", owner=owner, campaign=campaign)
    experiment = factories.ExperimentFactory(idea=idea)
    measurement = factories.MeasurementFactory(experiment=experiment)
    user = people[role]
    reads, writes = EXPECTED[role]
    for obj in (idea, experiment, measurement):
        for perm in READ:
            assert user.has_perm(perm, obj) is reads, (perm, type(obj).__name__)
        for perm in WRITE:
            assert user.has_perm(perm, obj) is writes, (perm, type(obj).__name__)


def test_nobody_reads_the_outcomes_of_an_idea_they_cannot_see(owner, employee):
    draft = factories.IdeaFactory(status="draft", author=owner, owner=owner)
    assert not employee.has_perm("outcomes.view_experiment", draft)
    assert owner.has_perm("outcomes.view_experiment", draft)


def test_a_customer_owner_gets_no_write_rights(customer):
    # Ownership is for employees: a customer set as owner by mistake still writes nothing.
    idea = factories.IdeaFactory(status="funded", owner=customer, author=customer)
    assert not customer.has_perm("outcomes.add_experiment", idea)

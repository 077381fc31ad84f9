"""Permissions of the feedback app, each defined once and checked by name everywhere.

Feedback is the customers' own words about the bank: employees read it (masked and
pseudonymous) so needs are evidenced; innovation managers curate it (import, place, delete).
Customers never see feedback.
"""

import rules

from accounts.rules import is_employee, is_manager


@rules.predicate
def is_link_author(user, link) -> bool:
    return link is not None and link.linked_by_id == user.pk


# Reading: items, the journey overlay, the links on an idea, one customer's items.
rules.add_perm("feedback.view_feedback", is_employee | is_manager)
rules.add_perm("feedback.view_customer", is_employee | is_manager)
# Employees link items to ideas as evidence; the linker or a manager removes a link.
rules.add_perm("feedback.link_feedback", is_employee | is_manager)
rules.add_perm("feedback.unlink_feedback", is_manager | (is_employee & is_link_author))
# Curating: imports (files and the JSON API), placement on the journey, erasure.
rules.add_perm("feedback.import_feedback", is_manager)
rules.add_perm("feedback.curate_feedback", is_manager)
rules.add_perm("feedback.delete_customer", is_manager)

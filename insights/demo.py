"""Demo data for insights: compute the panel-accuracy figures once the outcomes demo has
decided its experiments (as the nightly job would), so the accuracy page has figures."""

from insights.accuracy import accuracy_refresh


def seed(stdout=None) -> None:
    snapshot = accuracy_refresh()
    if stdout is not None:
        stdout.write(f"  insights: panel accuracy over {snapshot.data['n']} decided experiments")

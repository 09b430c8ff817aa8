"""SGP (TSMX) URA API simulator with a seeded synthetic customer base."""

from atende_sim_sgp.base import DEMO_CUSTOMERS, DemoCustomer

__all__ = ["DEMO_CUSTOMERS", "DemoCustomer"]

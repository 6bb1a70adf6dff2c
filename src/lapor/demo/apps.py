from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data in its own room: the demo city and accounts (load.py, network.py) and the report
    generator (generate.py, sim.py, texts.py). Nothing in the product imports it."""

    name = "lapor.demo"
    label = "demo"

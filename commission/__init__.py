"""Collector commission and incentive payroll engine.

Layers, inside out (each imports only its own and the ones before it; tests/test_layers.py checks):
money, periods, errors, identifiers -> policy -> inputs -> engine -> outputs, statements, simulation,
store, sample -> app -> cli.
"""

__version__ = "0.1.0"

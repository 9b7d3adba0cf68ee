"""Collector commission and incentive payroll engine.

Layers, inside out (each imports only the ones before it):
money/periods -> policy -> inputs -> engine -> outputs -> cli.
"""

__version__ = "0.1.0"

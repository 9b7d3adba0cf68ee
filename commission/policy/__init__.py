"""Policy layer: the YAML plan language parsed into immutable, validated objects."""

from .model import CapFloor, Classifier, Interval, LineRate, Policy, RateRule, Rounding, Threshold, Tier, Tiers
from .parse import load_policy, parse_policy

__all__ = ["CapFloor", "Classifier", "Interval", "LineRate", "Policy", "RateRule", "Rounding", "Threshold", "Tier",
           "Tiers", "load_policy", "parse_policy"]

"""Policy layer: the YAML plan language parsed into immutable, validated objects."""

from .model import CapFloor, Classifier, Interval, LineRate, Policy, RateRule, Rounding, Threshold, Tier, Tiers
from .parse import load_policies, load_policy, parse_policy, plan_in_force

__all__ = ["CapFloor", "Classifier", "Interval", "LineRate", "Policy", "RateRule", "Rounding", "Threshold", "Tier",
           "Tiers", "load_policies", "load_policy", "parse_policy", "plan_in_force"]

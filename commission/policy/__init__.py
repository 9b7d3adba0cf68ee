"""Policy layer: the YAML plan language parsed into immutable, validated objects."""

from .model import (AwardStep, Balances, Benefit, Bonus, CapFloor, Classifier, Compliance, Draw, EventEffect, Fees,
                    Holdback, Interval, LineRate, Multiplier, Override, Policy, Raise, RateRule, Rounding, Step, Threshold, Tier, Tiers)
from .parse import load_policies, load_policy, parse_policy, plan_files, plan_in_force

__all__ = ["AwardStep", "Balances", "Benefit", "Bonus", "CapFloor", "Classifier", "Compliance", "Draw", "EventEffect", "Fees", "Holdback", "Interval",
           "LineRate", "Multiplier", "Override", "Policy", "Raise", "RateRule", "Rounding", "Step", "Threshold", "Tier", "Tiers", "load_policies", "load_policy", "parse_policy", "plan_files",
           "plan_in_force"]

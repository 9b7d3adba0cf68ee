"""Every kind of component and adjustment, one module each, registered in one registry (registry.py):
importing this package registers them all."""

from . import (benefit, bonus, cap_floor, compliance, holdback, line_rate, multiplier, override,  # noqa: F401
               raises, threshold, tiers)
from .registry import Booking, Finding, RuleKind, RuleOutput, book_rules, kinds, register, rule_kind

__all__ = ["Booking", "Finding", "RuleKind", "RuleOutput", "book_rules", "kinds", "register", "rule_kind"]

"""Build a `Policy` from located YAML, reporting every problem at once as file:line: key.path: message."""

from __future__ import annotations

import difflib
import hashlib
from dataclasses import replace
import re
from datetime import date
from fractions import Fraction
from pathlib import Path
from typing import Callable, Optional

from ..errors import InputError, Problem, shown
from ..money import (CURRENCY_MINOR_UNITS, HALF_UP, MAX_FACTOR, ROUNDING_MODES, MoneyError, OutOfBounds,
                     format_minor, format_rate, parse_decimal, parse_rate, to_minor)
from ..periods import CADENCES, MONTHLY, QUARTERLY, YEARLY
from .model import (
    CLASSIFIABLE_FIELDS,
    CONDUCT_EVENTS,
    SEVERITIES,
    HOLDBACK_CONDITIONS,
    KPIS,
    LEAVER_RULES,
    Balances,
    Bonus,
    Compliance,
    Draw,
    EventEffect,
    Holdback,
    Multiplier,
    Override,
    Step,
    LEDGER_COLUMNS,
    SPECIAL_LEDGER_COLUMNS,
    UNMATCHED_ERROR,
    UNMATCHED_OWN_ATTRIBUTES,
    CapFloor,
    Classifier,
    Interval,
    LineRate,
    Policy,
    RateRule,
    Rounding,
    Threshold,
    Tier,
    Tiers,
)
from .yamlsource import MAX_YAML_BYTES, Node, check_size, parse_yaml

ROUNDING_PLACES = ("line",)
TIER_MODES = ("marginal", "whole")
TIER_BASES = ("recovered", "attainment")  # tier bounds: money, or shares of the collector's target
DEFAULT_CLASSIFIER_FIELDS = {"bucket": "days_past_due", "band": "balance"}
_INTERVAL = re.compile(r"^\s*([\[(])\s*([^,\s]+)\s*,\s*([^,\s]+)\s*([\])])\s*$")
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.+\-]*$")
_MISSING = object()


def load_policy(path: str | Path) -> Policy:
    """Read, parse and validate one policy file; raise InputError listing every problem."""
    path = Path(path)
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_YAML_BYTES + 1)  # never more: a plan file past the bound is refused unread
    except OSError as exc:
        raise InputError([Problem(str(path), "", f"cannot read policy: {exc.strerror}")]) from None
    check_size(len(data), str(path))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError([Problem(str(path), "", "policy is not UTF-8 text")]) from None
    return parse_policy(text, source=str(path), sha256=hashlib.sha256(data).hexdigest())


def plan_files(paths) -> list[Path]:
    """The files given, and the .yaml / .yml files inside any folder given (sorted)."""
    files = []
    for path in map(Path, paths):
        files.extend(sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml")) if path.is_dir() else [path])
    return files


def load_policies(paths) -> tuple[Policy, ...]:
    """Every plan file given (files, or folders of .yaml / .yml), validated one by one and together:
    one plan's versions must be distinct and agree on currency."""
    files = plan_files(paths)
    problems: list[Problem] = []
    policies = []
    for path in files:
        try:
            policies.append(load_policy(path))
        except InputError as exc:
            problems.extend(exc.problems)
    if not files:
        problems.append(Problem(", ".join(map(str, paths)), "", "no plan files (.yaml) found", role="policy"))
    seen: dict[tuple[str, int], Policy] = {}
    for policy in policies:
        key = (policy.plan, policy.version)
        if key in seen:
            problems.append(Problem(f"{policy.source}:1", "version", f"plan {policy.plan} version {policy.version} "
                                    f"is also defined in {seen[key].source}"))
        seen[key] = policy
    currencies = {(p.currency, p.minor_units) for p in policies}
    if len(currencies) > 1:
        problems.append(Problem(", ".join(p.source for p in policies), "currency",
                                "plans paid in one run must share a currency; found "
                                + ", ".join(sorted(c for c, _ in currencies))))
    if problems:
        raise InputError(problems)
    return tuple(policies)


def plan_in_force(policies, plan: str, day: date) -> Optional[Policy]:
    """The version of `plan` in force on `day`: the latest one whose effective range holds the day."""
    candidates = [p for p in policies if p.plan == plan and p.effective_from <= day
                  and (p.effective_to is None or p.effective_to >= day)]
    return max(candidates, key=lambda p: (p.effective_from, p.version), default=None)


def parse_policy(text: str, source: str = "<policy>", sha256: str = "") -> Policy:
    """Parse policy YAML text (the unit tests write plans inline)."""
    root = parse_yaml(text, source)
    reader = _Reader(source)
    policy = reader.policy(root)
    if reader.problems:
        raise InputError(reader.problems)
    if not sha256:
        sha256 = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return Policy(**{**policy.__dict__, "source": source, "sha256": sha256, "text": text})


class _Reader:
    """Walks the located tree; each accessor returns a value or None and records a Problem."""

    def __init__(self, source: str):
        self.source = source
        self.problems: list[Problem] = []
        self.minor_units = 2
        self.ids: dict[str, int] = {}
        self.effective_line = 1
        self.bad_labels: dict[str, set] = {}  # labels of classifiers whose ranges had errors

    # -- reporting ---------------------------------------------------------
    def problem(self, node: Optional[Node], path: str, message: str, line: int = 0) -> None:
        where_line = node.line if node is not None else line
        self.problems.append(Problem(f"{self.source}:{where_line or 1}", path, message))

    def claim_id(self, rule_id: str, node: Node, path: str) -> None:
        if rule_id in self.ids:
            self.problem(node, path, f"id {rule_id!r} is already used at line {self.ids[rule_id]}; ids must be unique")
        else:
            self.ids[rule_id] = node.line

    # -- typed accessors ---------------------------------------------------
    def mapping(self, node: Node, path: str, allowed: tuple[str, ...], required: tuple[str, ...] = ()) -> dict:
        if not isinstance(node.value, dict):
            self.problem(node, path, "expected a mapping of keys to values")
            return {}
        for key in node.value:
            if key not in allowed:
                close = difflib.get_close_matches(key, allowed, n=1)
                hint = f"did you mean {close[0]}?" if close else "expected one of: " + ", ".join(allowed)
                self.problem(None, _join(path, key), f"unknown key; {hint}", line=node.key_line(key))
        for key in required:
            if key not in node.value:
                self.problem(node, _join(path, key), "required key is missing")
        return node.value

    def sequence(self, node: Node, path: str) -> list[Node]:
        if not isinstance(node.value, list):
            self.problem(node, path, "expected a list")
            return []
        return node.value

    def text(self, node: Optional[Node], path: str, default=_MISSING) -> Optional[str]:
        if node is None or node.value is None:
            if default is _MISSING:
                self.problem(node, path, "a value is required")
                return None
            return default
        if not isinstance(node.value, str):
            self.problem(node, path, "expected a single value, not a list or mapping")
            return None
        return node.value

    def identifier(self, node: Optional[Node], path: str) -> Optional[str]:
        value = self.text(node, path)
        if value is not None and not _ID.match(value):
            self.problem(node, path, f"{value!r} is not a valid id (letters, digits, _ . + - ; no spaces)")
            return None
        return value

    def choice(self, node: Optional[Node], path: str, options: tuple[str, ...], default: str) -> str:
        value = self.text(node, path, default)
        if value is not None and value not in options:
            self.problem(node, path, f"{value!r} is not one of: {', '.join(options)}")
            return default
        return value if value is not None else default

    def convert(self, node: Optional[Node], path: str, parse: Callable, what: str, default=_MISSING):
        value = self.text(node, path, default)
        if value is None or node is None or node.value is None:
            return value
        try:
            return parse(value)
        except OutOfBounds as exc:
            self.problem(node, path, f"{shown(value)!r} {exc}")
            return None
        except (MoneyError, ValueError) as exc:
            detail = str(exc)
            restates = not detail or detail.startswith(repr(value)) or detail.startswith(value + " is not")
            self.problem(node, path, f"{shown(value)!r} is not {what}" + ("" if restates else f": {detail}"))
            return None

    def money(self, node, path, default=_MISSING) -> Optional[int]:
        """A non-negative amount (caps, floors, thresholds, tier bounds are never below zero)."""
        value = self.convert(node, path, lambda v: to_minor(parse_decimal(v), self.minor_units),
                             "an amount of money", default)
        if value is not None and value < 0:
            self.problem(node, path, "must not be negative")
            return None
        return value

    def rate(self, node, path, default=_MISSING) -> Optional[Fraction]:
        rate = self.convert(node, path, parse_rate, "a rate such as 5% or 0.05", default)
        if rate is not None and not 0 <= rate <= 1:
            self.problem(node, path, f"{shown(node.value)} is {'negative' if rate < 0 else 'above 100%'}; "
                         "a commission rate is between 0% and 100% (write 5% or 0.05 for five percent)")
            return None
        return rate

    def integer(self, node, path, default=_MISSING) -> Optional[int]:
        return self.convert(node, path, _parse_int, "a whole number", default)

    def day(self, node, path, default=_MISSING) -> Optional[date]:
        return self.convert(node, path, date.fromisoformat, "a date YYYY-MM-DD", default)

    def names(self, node: Optional[Node], path: str) -> tuple[str, ...]:
        """One value or a list of values, as a tuple of text."""
        if node is not None and isinstance(node.value, list):
            return tuple(v for i, item in enumerate(node.value) if (v := self.text(item, f"{path}[{i}]")))
        value = self.text(node, path)
        return (value,) if value else ()

    # -- the plan ----------------------------------------------------------
    def policy(self, root: Node) -> Policy:
        keys = self.mapping(root, "", ("plan", "version", "effective", "effective_to", "currency", "minor_units",
                                        "rounding", "description", "classify", "components", "adjustments",
                                        "reversals", "balances", "draw", "leavers", "lint"),
                            required=("plan", "version", "effective", "currency", "components"))
        plan = self.identifier(keys.get("plan"), "plan") if "plan" in keys else ""
        version = self.integer(keys.get("version"), "version") if "version" in keys else 0
        if version is not None and version < 1 and "version" in keys:
            self.problem(keys["version"], "version", "must be 1 or more")
        effective = self.day(keys.get("effective"), "effective") if "effective" in keys else None
        self.effective_line = root.key_line("effective")
        effective_to = self.day(keys.get("effective_to"), "effective_to", None)
        if effective and effective_to and effective_to < effective:
            self.problem(keys["effective_to"], "effective_to", f"is before effective ({effective})")
        currency = (self.text(keys.get("currency"), "currency") or "") if "currency" in keys else ""
        self.minor_units = self.currency_minor_units(keys, currency)
        rounding = self.rounding(keys.get("rounding"))
        description = self.text(keys.get("description"), "description", "") or ""
        classifiers = self.classifiers(keys.get("classify"))
        components = tuple(self.components(keys.get("components"), classifiers)) if "components" in keys else ()
        self.check_bonus_bases(components, keys.get("components"))
        adjustments = tuple(self.adjustments(keys.get("adjustments"), components))
        unmatched = UNMATCHED_ERROR
        if "reversals" in keys:
            reversal_keys = self.mapping(keys["reversals"], "reversals", ("unmatched",))
            unmatched = self.choice(reversal_keys.get("unmatched"), "reversals.unmatched",
                                    (UNMATCHED_ERROR, UNMATCHED_OWN_ATTRIBUTES), UNMATCHED_ERROR)
        return Policy(plan=plan or "", version=version or 0, effective_from=effective or date.min,
                      effective_to=effective_to, currency=currency, minor_units=self.minor_units,
                      rounding=rounding, classifiers=classifiers, components=components,
                      adjustments=adjustments, unmatched_reversals=unmatched, description=description,
                      effective_line=self.effective_line, balances=self.balances(keys.get("balances")),
                      draw=self.draw(keys.get("draw")),
                      leavers=self.choice(keys.get("leavers"), "leavers", LEAVER_RULES, "pay"),
                      lint_ignore=self.lint_ignore(keys.get("lint")))

    def currency_minor_units(self, keys: dict, currency: str) -> int:
        if currency and not re.match(r"^[A-Z]{3}$", currency):
            hint = f"; did you mean {currency.upper()}?" if re.match(r"^[A-Za-z]{3}$", currency) else ""
            self.problem(keys.get("currency"), "currency", f"{currency!r} is not a 3-letter ISO currency code "
                         f"in capitals{hint}")
        if "minor_units" in keys:
            units = self.integer(keys["minor_units"], "minor_units")
            if units is not None and not 0 <= units <= 6:
                self.problem(keys["minor_units"], "minor_units", "must be between 0 and 6")
                return 2
            return units if units is not None else 2
        if currency and currency not in CURRENCY_MINOR_UNITS and re.match(r"^[A-Z]{3}$", currency):
            self.problem(keys.get("currency"), "currency",
                         f"minor units of {currency} are not known; add minor_units: N to the plan")
        return CURRENCY_MINOR_UNITS.get(currency, 2)

    def rounding(self, node: Optional[Node]) -> Rounding:
        if node is None:
            return Rounding()
        keys = self.mapping(node, "rounding", ("mode", "at"))
        return Rounding(mode=self.choice(keys.get("mode"), "rounding.mode", ROUNDING_MODES, HALF_UP),
                        at=self.choice(keys.get("at"), "rounding.at", ROUNDING_PLACES, "line"))

    # -- classification ----------------------------------------------------
    def classifiers(self, node: Optional[Node]) -> tuple[Classifier, ...]:
        if node is None:
            return ()
        if not isinstance(node.value, dict):
            self.problem(node, "classify", "expected a mapping of classifier names (bucket, band) to ranges")
            return ()
        return tuple(c for name, child in node.value.items() if (c := self.classifier(name, child)))

    def classifier(self, name: str, node: Node) -> Optional[Classifier]:
        path = f"classify.{name}"
        if isinstance(node.value, dict) and "ranges" in node.value:
            keys = self.mapping(node, path, ("field", "ranges"))
            field = self.text(keys.get("field"), f"{path}.field", DEFAULT_CLASSIFIER_FIELDS.get(name))
            ranges_node, ranges_path = keys["ranges"], f"{path}.ranges"
        else:
            field, ranges_node, ranges_path = DEFAULT_CLASSIFIER_FIELDS.get(name), node, path
        if field is None:
            self.problem(node, f"{path}.field", "say which ledger field to classify by (days_past_due, balance or amount)")
            return None
        if field not in CLASSIFIABLE_FIELDS:
            self.problem(node, f"{path}.field", f"{field!r} cannot be classified; use one of: "
                         + ", ".join(CLASSIFIABLE_FIELDS))
            return None
        if not isinstance(ranges_node.value, dict) or not ranges_node.value:
            self.problem(ranges_node, ranges_path, "expected labels with ranges, e.g. M1: \"[1, 30]\"")
            return None
        is_money = CLASSIFIABLE_FIELDS[field]
        labelled = []
        for label, child in ranges_node.value.items():
            interval = self.interval(child, f"{ranges_path}.{label}", is_money)
            # A bad range is reported once; its label stays defined so rules naming it raise nothing more.
            labelled.append((label, interval, child))
        if any(interval is None for _, interval, _ in labelled):
            self.bad_labels[name] = {label for label, _, _ in labelled}
            return None
        self.check_partition(labelled, ranges_path)
        labelled.sort(key=lambda item: item[1].low)
        return Classifier(name=name, field=field, labels=tuple(label for label, _, _ in labelled),
                          intervals=tuple(interval for _, interval, _ in labelled), line=node.line)

    def interval(self, node: Node, path: str, is_money: bool) -> Optional[Interval]:
        text = self.text(node, path)
        if text is None:
            return None
        match = _INTERVAL.match(text)
        if not match:
            self.problem(node, path, f"{text!r} is not a range; write \"[1, 30]\" (both ends included), "
                         "\"[0, 5000)\" (upper end excluded) or \"[181, inf)\"")
            return None
        opening, low_text, high_text, closing = match.groups()
        try:
            low = self.bound(low_text, is_money)
            high = None if high_text.lower() in ("inf", "+inf") else self.bound(high_text, is_money)
        except (MoneyError, ValueError) as exc:
            self.problem(node, path, f"{text!r}: {exc}")
            return None
        if low is None:
            self.problem(node, path, f"{text!r}: the lower end must be a number")
            return None
        # Normalise to [low, high) on integers (days, or minor units).
        low = low if opening == "[" else low + 1
        if high is not None and closing == "]":
            high += 1
        if high is not None and high <= low:
            self.problem(node, path, f"{text!r} is empty: the upper end must be above the lower end")
            return None
        return Interval(low=low, high=high, text=text.strip())

    def bound(self, text: str, is_money: bool) -> Optional[int]:
        if text.lower() in ("-inf", "inf", "+inf"):
            return None
        value = parse_decimal(text)
        if is_money:
            try:
                return to_minor(value, self.minor_units)
            except OutOfBounds as exc:
                raise MoneyError(f"{shown(text)} {exc}") from None
        if value != value.to_integral_value():
            raise ValueError(f"{text} is not a whole number of days")
        return int(value)

    def check_partition(self, labelled: list, path: str) -> None:
        """Ranges must tile a line with no gap and no overlap."""
        ordered = sorted(labelled, key=lambda item: item[1].low)
        for (label_a, a, node_a), (label_b, b, node_b) in zip(ordered, ordered[1:]):
            if a.high is None or a.high > b.low:
                self.problem(node_b, f"{path}.{label_b}", f"{b.text} overlaps {label_a} {a.text}")
            elif a.high < b.low:
                self.problem(node_b, f"{path}.{label_b}", f"gap between {label_a} {a.text} and {label_b} {b.text}: "
                             "values in between would match no range")

    # -- components --------------------------------------------------------
    def components(self, node: Optional[Node], classifiers: tuple[Classifier, ...]):
        items = self.sequence(node, "components") if node is not None else []
        if node is not None and not items and isinstance(node.value, list):
            self.problem(node, "components", "a plan needs at least one component")
        for index, child in enumerate(items):
            path = f"components[{index}]"
            kind = self.text(child.value.get("kind") if isinstance(child.value, dict) else None, f"{path}.kind")
            if kind == "line_rate":
                component = self.line_rate(child, path, classifiers)
            elif kind in COMPONENT_KINDS:
                component = getattr(self, kind)(child, path)
            else:
                if kind is not None:
                    self.problem(child.value.get("kind"), f"{path}.kind", f"{kind!r} is not a component kind; "
                                 "use " + ", ".join(("line_rate", *COMPONENT_KINDS)))
                continue
            if component is not None:
                yield component

    def common(self, keys: dict, node: Node, path: str) -> tuple[str, str, str, str]:
        component_id = self.identifier(keys.get("id"), f"{path}.id") or f"{path}"
        if "id" in keys:
            self.claim_id(component_id, keys["id"], f"{path}.id")
        pays = self.choice(keys.get("pays"), f"{path}.pays", CADENCES, MONTHLY)
        pay_code = self.identifier(keys.get("pay_code"), f"{path}.pay_code") if "pay_code" in keys else "commission"
        description = self.text(keys.get("description"), f"{path}.description", "") or ""
        return component_id, pays, pay_code or "commission", description

    def line_rate(self, node: Node, path: str, classifiers: tuple[Classifier, ...]) -> Optional[LineRate]:
        keys = self.mapping(node, path, ("id", "kind", "pays", "pay_code", "description", "rates", "default",
                                         "per_payment"), required=("id", "rates"))
        component_id, pays, pay_code, description = self.common(keys, node, path)
        labels = {**self.bad_labels, **{c.name: set(c.labels) for c in classifiers}}
        rules = []
        for index, child in enumerate(self.sequence(keys["rates"], f"{path}.rates") if "rates" in keys else []):
            rule = self.rate_rule(child, f"{path}.rates[{index}]", f"{component_id}#{index + 1}", labels)
            if rule is not None:
                rules.append(rule)
        default = None
        if "default" in keys:
            rate = self.rate(keys["default"], f"{path}.default")
            if rate is not None:
                default = RateRule(id=f"{component_id}#default", conditions=(), rate=rate, line=keys["default"].line)
        if "rates" in keys and isinstance(keys["rates"].value, list) and not keys["rates"].value and default is None:
            self.problem(keys["rates"], f"{path}.rates", "no rates and no default: nothing would ever be paid")
        minimum = maximum = None
        if "per_payment" in keys:
            limits = self.mapping(keys["per_payment"], f"{path}.per_payment", ("min", "max"))
            minimum = self.money(limits.get("min"), f"{path}.per_payment.min", None)
            maximum = self.money(limits.get("max"), f"{path}.per_payment.max", None)
            if minimum is not None and maximum is not None and minimum > maximum:
                self.problem(keys["per_payment"], f"{path}.per_payment", "min is above max")
        return LineRate(id=component_id, pays=pays, pay_code=pay_code, rules=tuple(rules), default=default,
                        per_payment_min=minimum, per_payment_max=maximum, description=description, line=node.line)

    def rate_rule(self, node: Node, path: str, default_id: str, labels: dict) -> Optional[RateRule]:
        if not isinstance(node.value, dict):
            self.problem(node, path, "expected a mapping such as {bucket: M1, rate: 5%}")
            return None
        keys = node.value
        rule_id = self.identifier(keys["id"], f"{path}.id") if "id" in keys else default_id
        if rule_id:
            self.claim_id(rule_id, keys.get("id", node), f"{path}.id")
        if "rate" not in keys:
            self.problem(node, f"{path}.rate", "required key is missing")
        rate = self.rate(keys.get("rate"), f"{path}.rate") if "rate" in keys else None
        conditions = []
        for column, child in keys.items():
            if column in ("id", "rate", "description"):
                continue
            values = self.names(child, f"{path}.{column}")
            if column in LEDGER_COLUMNS + SPECIAL_LEDGER_COLUMNS:
                self.problem(None, f"{path}.{column}", f"{column} cannot be a rate key: match amounts, balances and "
                             "days past due with classify ranges (bucket, band); ids and dates never repeat",
                             line=node.key_line(column))
            elif column in labels:
                for value in values:
                    if value not in labels[column]:
                        self.problem(child, f"{path}.{column}", f"{value!r} is not a {column}; defined: "
                                     + ", ".join(sorted(labels[column])))
            elif column in DEFAULT_CLASSIFIER_FIELDS:
                self.problem(child, f"{path}.{column}", f"the plan has no classify.{column} section")
            elif close := difflib.get_close_matches(column, [*labels, *DEFAULT_CLASSIFIER_FIELDS, "rate", "id"], n=1):
                self.problem(None, f"{path}.{column}", f"unknown key; did you mean {close[0]}? (any other key is "
                             "read as a ledger column to match)", line=node.key_line(column))
            conditions.append((column, values))
        if rate is None or not rule_id:
            return None
        return RateRule(id=rule_id, conditions=tuple(conditions), rate=rate, line=node.line)

    def tiers(self, node: Node, path: str) -> Optional[Tiers]:
        keys = self.mapping(node, path, ("id", "kind", "pays", "pay_code", "description", "base", "mode", "tiers"),
                            required=("id", "mode", "tiers"))
        component_id, pays, pay_code, description = self.common(keys, node, path)
        base = self.choice(keys.get("base"), f"{path}.base", TIER_BASES, "recovered")
        mode = self.choice(keys.get("mode"), f"{path}.mode", TIER_MODES, "marginal")
        tiers = []
        children = self.sequence(keys["tiers"], f"{path}.tiers") if "tiers" in keys else []
        for index, child in enumerate(children):
            tier = self.tier(child, f"{path}.tiers[{index}]", f"{component_id}#{index + 1}", base)
            if tier is not None:
                tiers.append((tier, child, index))
        for (a, node_a, i), (b, node_b, j) in zip(tiers, tiers[1:]):
            if a.high is None:
                self.problem(node_a, f"{path}.tiers[{i}].to", "only the last tier may be open-ended")
            elif b.low != a.high:
                what = "gap" if b.low > a.high else "overlap"
                ends = format_rate(a.high) if base == "attainment" else format_minor(a.high, self.minor_units)
                self.problem(node_b, f"{path}.tiers[{j}].from", f"{what}: this tier must start where the one before "
                             f"ends ({ends})")
        if "tiers" in keys and not children:
            self.problem(keys["tiers"], f"{path}.tiers", "a tier schedule needs at least one tier")
        return Tiers(id=component_id, pays=pays, pay_code=pay_code, base=base, mode=mode,
                     tiers=tuple(t for t, _, _ in tiers), description=description, line=node.line)

    def tier(self, node: Node, path: str, default_id: str, base: Optional[str]) -> Optional[Tier]:
        keys = self.mapping(node, path, ("id", "from", "to", "rate", "amount"), required=("from",))
        tier_id = self.identifier(keys["id"], f"{path}.id") if "id" in keys else default_id
        if tier_id:
            self.claim_id(tier_id, keys.get("id", node), f"{path}.id")
        bound = self.share if base == "attainment" else self.money  # of the target, or money
        low = bound(keys.get("from"), f"{path}.from") if "from" in keys else None
        high = bound(keys.get("to"), f"{path}.to", None)
        if ("rate" in keys) == ("amount" in keys):
            self.problem(node, path, "give exactly one of rate (on the base in the tier) or amount (fixed)")
        rate = self.rate(keys["rate"], f"{path}.rate") if "rate" in keys else None
        amount = self.money(keys["amount"], f"{path}.amount") if "amount" in keys else None
        if low is not None and high is not None and high <= low:
            self.problem(node, f"{path}.to", "must be above from")
            return None
        if low is None or tier_id is None or (rate is None and amount is None) or ("to" in keys and high is None):
            return None  # already reported (a `to` that did not parse is not an open end)
        return Tier(id=tier_id, low=low, high=high, rate=rate, amount=amount, line=node.line)

    def bonus(self, node: Node, path: str) -> Optional[Bonus]:
        keys = self.mapping(node, path, ("id", "kind", "pays", "pay_code", "description", "kpi", "steps", "of"),
                            required=("id", "kpi", "steps"))
        component_id, pays, pay_code, description = self.common(keys, node, path)
        kpi = self.choice(keys.get("kpi"), f"{path}.kpi", KPIS, "attainment")
        of = self.names(keys["of"], f"{path}.of") if "of" in keys else ("recovered",)
        steps = []
        for index, child in enumerate(self.sequence(keys["steps"], f"{path}.steps") if "steps" in keys else []):
            step_path = f"{path}.steps[{index}]"
            step_keys = self.mapping(child, step_path, ("at_least", "amount", "rate"), required=("at_least",))
            if ("amount" in step_keys) == ("rate" in step_keys):
                self.problem(child, step_path, "give exactly one of amount (fixed) or rate (on `of`)")
                continue
            at_least = self.kpi_value(step_keys.get("at_least"), f"{step_path}.at_least", kpi)
            amount = self.money(step_keys["amount"], f"{step_path}.amount") if "amount" in step_keys else None
            rate = self.rate(step_keys["rate"], f"{step_path}.rate") if "rate" in step_keys else None
            if at_least is not None and (amount is not None or rate is not None):
                steps.append(Step(at_least=at_least, amount=amount, rate=rate, line=child.line))
        self.check_ascending([s.at_least for s in steps], keys.get("steps"), f"{path}.steps")
        return Bonus(id=component_id, pays=pays, pay_code=pay_code, kpi=kpi, steps=tuple(steps), of=tuple(of),
                     description=description, line=node.line)

    def override(self, node: Node, path: str) -> Optional[Override]:
        keys = self.mapping(node, path, ("id", "kind", "pays", "pay_code", "description", "base", "rate"),
                            required=("id", "rate"))
        component_id, pays, pay_code, description = self.common(keys, node, path)
        base = self.choice(keys.get("base"), f"{path}.base", OVERRIDE_BASES, "team_recovered")
        rate = self.rate(keys.get("rate"), f"{path}.rate") if "rate" in keys else None
        if rate is None:
            return None
        return Override(id=component_id, pays=pays, pay_code=pay_code, base=base, rate=rate,
                        description=description, line=node.line)

    def check_bonus_bases(self, components: tuple, node: Optional[Node]) -> None:
        """A bonus paid on components needs them listed before it (they are computed in plan order)."""
        for index, component in enumerate(components):
            if isinstance(component, Bonus) and component.of != ("recovered",):
                earlier = {c.id for c in components[:index]}
                for name in component.of:
                    if name not in earlier:
                        self.problem(None, f"components[{index}].of", f"{name!r} is not a component listed before "
                                     f"{component.id} (use recovered, or ids of earlier components)",
                                     line=component.line)

    def share(self, node, path, default=_MISSING) -> Optional[Fraction]:
        """A share of a target such as 100% or 120% (not capped at 100%, unlike a rate). The % is
        required: a bare 100 would be a hundred times the target, a slip nobody would notice."""
        return self.convert(node, path, _parse_percentage, "a percentage of the target such as 100% or 120%",
                            default)

    def kpi_value(self, node: Optional[Node], path: str, kpi: str) -> Optional[Fraction]:
        """A KPI threshold: money for recovered, points for qa_score, a percentage for the ratios."""
        if kpi == "recovered":
            value = self.money(node, path)
            return None if value is None else Fraction(value)
        if kpi == "qa_score":
            return self.convert(node, path, lambda v: Fraction(parse_decimal(v)), "a score such as 80")
        return self.convert(node, path, parse_share, "a percentage such as 100% or 1.2")

    def check_ascending(self, values: list, node: Optional[Node], path: str) -> None:
        if any(b <= a for a, b in zip(values, values[1:])):
            self.problem(node, path, "must be listed in ascending order, without repeats")

    # -- adjustments -------------------------------------------------------
    def adjustments(self, node: Optional[Node], components: tuple):
        component_ids = tuple(c.id for c in components)
        for index, child in enumerate(self.sequence(node, "adjustments") if node is not None else []):
            path = f"adjustments[{index}]"
            kind = self.text(child.value.get("kind") if isinstance(child.value, dict) else None, f"{path}.kind")
            if kind not in ADJUSTMENT_KEYS:
                if kind is not None:
                    self.problem(child.value.get("kind"), f"{path}.kind", f"{kind!r} is not an adjustment kind; "
                                 "use " + ", ".join(ADJUSTMENT_KEYS))
                continue
            keys = self.mapping(child, path, ("id", "kind", "applies_to") + ADJUSTMENT_KEYS[kind], required=("id",))
            adjustment_id = self.identifier(keys.get("id"), f"{path}.id") if "id" in keys else None
            if adjustment_id:
                self.claim_id(adjustment_id, keys["id"], f"{path}.id")
            applies_to = self.names(keys["applies_to"], f"{path}.applies_to") if "applies_to" in keys \
                else component_ids
            for target in applies_to:
                if target not in component_ids:
                    self.problem(keys["applies_to"], f"{path}.applies_to", f"{target!r} is not a component id")
            adjustment = getattr(self, f"adjust_{kind}")(keys, child, path, applies_to, components)
            if adjustment_id and adjustment is not None:
                yield replace(adjustment, id=adjustment_id, applies_to=applies_to, line=child.line)

    def adjust_threshold(self, keys, node, path, applies_to, components) -> Optional[Threshold]:
        if "recovered_at_least" not in keys:
            self.problem(node, f"{path}.recovered_at_least", "required key is missing")
            return None
        minimum = self.money(keys["recovered_at_least"], f"{path}.recovered_at_least")
        return None if minimum is None else Threshold(id="", recovered_at_least=minimum, applies_to=())

    def adjust_cap_floor(self, keys, node, path, applies_to, components) -> Optional[CapFloor]:
        first = next((c for c in components if c.id in applies_to), None)
        pay_code = self.identifier(keys.get("pay_code"), f"{path}.pay_code") if "pay_code" in keys \
            else (first.pay_code if first else "commission")
        cap = self.money(keys.get("cap"), f"{path}.cap", None)
        floor = self.money(keys.get("floor"), f"{path}.floor", None)
        if "cap" not in keys and "floor" not in keys:
            self.problem(node, path, "give a cap, a floor or both")
        if cap is not None and floor is not None and floor > cap:
            self.problem(keys["floor"], f"{path}.floor", "floor is above cap")
        if cap is None and floor is None:
            return None
        return CapFloor(id="", cap=cap, floor=floor, applies_to=(), pay_code=pay_code or "commission")

    def adjust_multiplier(self, keys, node, path, applies_to, components) -> Optional[Multiplier]:
        kpi = self.choice(keys.get("kpi"), f"{path}.kpi", KPIS, "attainment")
        bands = []
        for index, child in enumerate(self.sequence(keys["bands"], f"{path}.bands") if "bands" in keys else []):
            band_path = f"{path}.bands[{index}]"
            band = self.mapping(child, band_path, ("from", "multiplier"), required=("from", "multiplier"))
            low = self.kpi_value(band.get("from"), f"{band_path}.from", kpi) if "from" in band else None
            factor = self.convert(band.get("multiplier"), f"{band_path}.multiplier", _parse_factor,
                                  "a multiplier such as 0.8 or 1.2") if "multiplier" in band else None
            if low is not None and factor is not None:
                bands.append((low, factor))
        if "bands" not in keys or not bands:
            self.problem(node, f"{path}.bands", "give bands of {from, multiplier}, the first from 0")
            return None
        self.check_ascending([low for low, _ in bands], keys["bands"], f"{path}.bands")
        if bands[0][0] != 0:
            self.problem(keys["bands"], f"{path}.bands[0].from", "the first band must start at 0, so every "
                         "collector falls in a band")
        return Multiplier(id="", kpi=kpi, bands=tuple(bands), applies_to=())

    def adjust_compliance(self, keys, node, path, applies_to, components) -> Optional[Compliance]:
        effects = []
        events = keys.get("events")
        if events is None or not isinstance(events.value, dict) or not events.value:
            self.problem(node, f"{path}.events", "map event types to effects, e.g. complaint: {deduct: 200.00}")
            return None
        for label, child in events.value.items():
            effect_path = f"{path}.events.{label}"
            effect = self.mapping(child, effect_path, ("deduct", "forfeit"))
            event_type, _, severity = label.partition("/")
            if event_type not in CONDUCT_EVENTS or (severity and severity not in SEVERITIES):
                self.problem(None, effect_path, f"{label!r} is not an event: write a type "
                             f"({', '.join(CONDUCT_EVENTS)}) or type/severity (severity: {', '.join(SEVERITIES)})",
                             line=events.key_line(label))
                continue
            if ("deduct" in effect) == ("forfeit" in effect):
                self.problem(child, effect_path, "give exactly one of deduct (an amount or a percentage per "
                             "event) or forfeit: true")
                continue
            if "forfeit" in effect:
                if self.text(effect["forfeit"], f"{effect_path}.forfeit") not in ("true", "yes"):
                    self.problem(effect["forfeit"], f"{effect_path}.forfeit", "write forfeit: true")
                    continue
                effects.append(EventEffect(type=event_type, severity=severity, forfeit=True, line=child.line))
                continue
            text = (self.text(effect["deduct"], f"{effect_path}.deduct") or "").strip()
            if "." not in text and not text.endswith("%"):
                self.problem(effect["deduct"], f"{effect_path}.deduct", f"{text!r} is ambiguous: write an amount with "
                             f"its decimals ({text}.00) or a percentage ({text}%)")
                continue
            if text.endswith("%"):
                rate = self.rate(effect["deduct"], f"{effect_path}.deduct")
                if rate is not None:
                    effects.append(EventEffect(type=event_type, severity=severity, deduct_rate=rate, line=child.line))
            else:
                amount = self.money(effect["deduct"], f"{effect_path}.deduct")
                if amount is not None:
                    effects.append(EventEffect(type=event_type, severity=severity, deduct_amount=amount,
                                               line=child.line))
        return Compliance(id="", effects=tuple(effects), applies_to=())

    def adjust_holdback(self, keys, node, path, applies_to, components) -> Optional[Holdback]:
        for key in ("percent", "release"):
            if key not in keys:
                self.problem(node, f"{path}.{key}", "required key is missing")
        rate = self.rate(keys["percent"], f"{path}.percent") if "percent" in keys else None
        release = self.choice(keys.get("release"), f"{path}.release", RELEASES, QUARTERLY)
        conditions = self.names(keys["only_if"], f"{path}.only_if") if "only_if" in keys else ()
        for condition in conditions:
            if condition not in HOLDBACK_CONDITIONS:
                self.problem(keys["only_if"], f"{path}.only_if", f"{condition!r} is not a condition; use "
                             + ", ".join(HOLDBACK_CONDITIONS))
        if rate is None:
            return None
        return Holdback(id="", rate=rate, release=release, conditions=tuple(conditions), applies_to=())

    # -- balances, draw, leavers ---------------------------------------------
    def balances(self, node: Optional[Node]) -> Balances:
        if node is None:
            return Balances()
        keys = self.mapping(node, "balances", ("recover_at_most",))
        if "recover_at_most" not in keys:
            return Balances()
        text = self.text(keys["recover_at_most"], "balances.recover_at_most") or ""
        if text.strip().endswith("%"):
            return Balances(recover_rate=self.rate(keys["recover_at_most"], "balances.recover_at_most"))
        return Balances(recover_amount=self.money(keys["recover_at_most"], "balances.recover_at_most"))

    def lint_ignore(self, node: Optional[Node]) -> tuple[tuple[str, str], ...]:
        """lint: {ignore: {code: reason}}: health-check warnings the plan accepts, each with its reason."""
        if node is None:
            return ()
        ignore = self.mapping(node, "lint", ("ignore",)).get("ignore")
        if ignore is None:
            return ()
        if not isinstance(ignore.value, dict):
            self.problem(ignore, "lint.ignore", "map each warning code to the reason the plan accepts it, "
                         "e.g. whole-tier-cliff: retention step agreed with HR")
            return ()
        accepted = []
        for code, child in ignore.value.items():
            reason = (self.text(child, f"lint.ignore.{code}") or "").strip()
            if not reason:
                self.problem(child, f"lint.ignore.{code}", "give the reason the plan accepts this warning")
            else:
                accepted.append((code, reason))
        return tuple(accepted)

    def draw(self, node: Optional[Node]) -> Optional[Draw]:
        if node is None:
            return None
        keys = self.mapping(node, "draw", ("amount", "recoverable", "pay_code"), required=("amount", "recoverable"))
        amount = self.money(keys["amount"], "draw.amount") if "amount" in keys else None
        recoverable = self.choice(keys.get("recoverable"), "draw.recoverable", ("true", "false"), "true")
        pay_code = self.identifier(keys["pay_code"], "draw.pay_code") if "pay_code" in keys else "commission"
        if amount is None:
            return None
        return Draw(amount=amount, recoverable=recoverable == "true", pay_code=pay_code or "commission")


COMPONENT_KINDS = ("tiers", "bonus", "override")
OVERRIDE_BASES = ("team_recovered", "team_commission")
RELEASES = (QUARTERLY, YEARLY)
#: Each adjustment kind and the keys it takes besides id, kind and applies_to.
ADJUSTMENT_KEYS = {
    "threshold": ("recovered_at_least",),
    "cap_floor": ("cap", "floor", "pay_code"),
    "multiplier": ("kpi", "bands"),
    "compliance": ("events",),
    "holdback": ("percent", "release", "only_if"),
}


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


#: The largest whole number a plan holds (a version, minor units).
MAX_WHOLE = 999_999_999


def _parse_int(text: str) -> int:
    value = parse_decimal(text)
    if value != value.to_integral_value():
        raise ValueError("")
    if abs(value) > MAX_WHOLE:
        raise OutOfBounds(f"is too large (the limit is {MAX_WHOLE})")
    return int(value)


def _parse_ratio(text: str) -> Fraction:
    """A non-negative ratio such as 100%, 120% or 1.2 (may exceed 100%, unlike a commission rate)."""
    return _factor(parse_rate(text))


def _factor(value: Fraction) -> Fraction:
    """A multiplier or a share of a target: not negative, at most MAX_FACTOR (so a total scaled by
    it stays exact in int64; `parse_rate` has already bounded its decimals)."""
    if value < 0:
        raise ValueError("must not be negative")
    if value > MAX_FACTOR:
        raise OutOfBounds(f"is too large (the limit is {MAX_FACTOR}, or {MAX_FACTOR * 100}%)")
    return value


def parse_share(text: str) -> Fraction:
    """A KPI ratio level: 100%, 120% or 1.2. A bare number above 10 is refused: `100` would be a
    hundred times the target, a slip that would silently never pay."""
    value = parse_rate(text)
    if value > 10 and not str(text).strip().endswith("%"):
        raise ValueError(f"{str(text).strip()} would be {str(text).strip()} times the target; write {text}% "
                         "(a percentage)")
    return _factor(value)


def _parse_percentage(text: str) -> Fraction:
    if not str(text).strip().endswith("%"):
        raise ValueError("write it with a % sign")
    return _parse_ratio(text)


def _parse_factor(text: str) -> Fraction:
    """A multiplier, written as a plain number: 0.8, 1 or 1.5 (not 150%)."""
    if str(text).strip().endswith("%"):
        raise ValueError("")
    return _factor(parse_rate(text))

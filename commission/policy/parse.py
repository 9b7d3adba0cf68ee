"""Build a `Policy` from located YAML, reporting every problem at once as file:line: key.path: message.

This module reads a plan file and its top level (identity, money settings, balances, draw, leavers);
the grammar of classify, components and adjustments is in their own modules, all reading through
one `Reader`."""

from __future__ import annotations

import hashlib
import re
from datetime import date
from pathlib import Path
from typing import Optional

from ..errors import InputError, Problem
from ..money import CURRENCY_MINOR_UNITS, HALF_UP, ROUNDING_MODES
from .adjustments import adjustments as read_adjustments
from .awards import check_award_references
from .classifiers import classifiers as read_classifiers
from .components import check_bases_and_measures, check_bonus_bases
from .components import components as read_components
from .components import fees as read_fees
from .labels import take_labels
from .model import (AT_COMPONENT, AT_LINE, EARLIER_KEEP, EARLIER_RECOMPUTE, LEAVER_RULES, OUTSIDE_EMPLOYMENT_RULES,
                    REFUSE, UNMATCHED_ERROR, UNMATCHED_OWN_ATTRIBUTES, Balances, Draw, Policy, Rounding)
from .reader import Reader
from .yamlsource import MAX_YAML_BYTES, Node, check_size, parse_yaml

ROUNDING_PLACES = (AT_LINE, AT_COMPONENT)


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
    reader = Reader(source)
    policy = read_plan(reader, root)
    if reader.problems:
        raise InputError(reader.problems)
    if not sha256:
        sha256 = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return Policy(**{**policy.__dict__, "source": source, "sha256": sha256, "text": text})


def read_plan(reader: Reader, root: Node) -> Policy:
    """The whole plan: its top-level keys here, classify, components and adjustments by their grammars."""
    keys = reader.mapping(root, "", ("plan", "version", "effective", "effective_to", "currency", "minor_units",
                                    "rounding", "description", "classify", "fees", "components", "adjustments",
                                    "reversals", "balances", "draw", "leavers", "lint"),
                        required=("plan", "version", "effective", "currency", "components"))
    plan = reader.identifier(keys.get("plan"), "plan") if "plan" in keys else ""
    version = reader.integer(keys.get("version"), "version") if "version" in keys else 0
    if version is not None and version < 1 and "version" in keys:
        reader.problem(keys["version"], "version", "must be 1 or more")
    effective = reader.day(keys.get("effective"), "effective") if "effective" in keys else None
    reader.effective_line = root.key_line("effective")
    effective_to = reader.day(keys.get("effective_to"), "effective_to", None)
    if effective and effective_to and effective_to < effective:
        reader.problem(keys["effective_to"], "effective_to", f"is before effective ({effective})")
    currency = (reader.text(keys.get("currency"), "currency") or "") if "currency" in keys else ""
    reader.minor_units = read_currency_minor_units(reader, keys, currency)
    rounding = read_rounding(reader, keys.get("rounding"))
    description = reader.free_text(keys.get("description"), "description", "") or ""
    labels = take_labels(reader, keys.get("components"), keys.get("adjustments"))
    classifiers = read_classifiers(reader, keys.get("classify"))
    components = tuple(read_components(reader, keys.get("components"), classifiers)) if "components" in keys else ()
    fees = read_fees(reader, keys.get("fees"), classifiers)
    check_bonus_bases(reader, components, keys.get("components"))
    check_bases_and_measures(reader, components, fees, classifiers)
    check_rounding_at_component(reader, rounding, components, keys.get("components"))
    check_award_references(reader, components)
    adjustments = tuple(read_adjustments(reader, keys.get("adjustments"), components))
    unmatched, earlier = UNMATCHED_ERROR, EARLIER_KEEP
    if "reversals" in keys:
        reversal_keys = reader.mapping(keys["reversals"], "reversals", ("unmatched", "earlier_periods"))
        unmatched = reader.choice(reversal_keys.get("unmatched"), "reversals.unmatched",
                                (UNMATCHED_ERROR, UNMATCHED_OWN_ATTRIBUTES), UNMATCHED_ERROR)
        earlier = reader.choice(reversal_keys.get("earlier_periods"), "reversals.earlier_periods",
                                (EARLIER_KEEP, EARLIER_RECOMPUTE), EARLIER_KEEP)
    leavers, after_end, before_start = read_leavers(reader, keys.get("leavers"))
    return Policy(plan=plan or "", version=version or 0, effective_from=effective or date.min,
                  effective_to=effective_to, currency=currency, minor_units=reader.minor_units,
                  rounding=rounding, classifiers=classifiers, components=components,
                  adjustments=adjustments, fees=fees, unmatched_reversals=unmatched, earlier_periods=earlier,
                  description=description,
                  effective_line=reader.effective_line, balances=read_balances(reader, keys.get("balances")),
                  draw=read_draw(reader, keys.get("draw")),
                  leavers=leavers, rows_after_end=after_end, rows_before_start=before_start,
                  lint_ignore=read_lint_ignore(reader, keys.get("lint")), labels=labels)


def read_currency_minor_units(reader: Reader, keys: dict, currency: str) -> int:
    if currency and not re.match(r"^[A-Z]{3}$", currency):
        hint = f"; did you mean {currency.upper()}?" if re.match(r"^[A-Za-z]{3}$", currency) else ""
        reader.problem(keys.get("currency"), "currency", f"{currency!r} is not a 3-letter ISO currency code "
                     f"in capitals{hint}")
    if "minor_units" in keys:
        units = reader.integer(keys["minor_units"], "minor_units")
        if units is not None and not 0 <= units <= 6:
            reader.problem(keys["minor_units"], "minor_units", "must be between 0 and 6")
            return 2
        return units if units is not None else 2
    if currency and currency not in CURRENCY_MINOR_UNITS and re.match(r"^[A-Z]{3}$", currency):
        reader.problem(keys.get("currency"), "currency",
                     f"minor units of {currency} are not known; add minor_units: N to the plan")
    return CURRENCY_MINOR_UNITS.get(currency, 2)


def read_rounding(reader: Reader, node: Optional[Node]) -> Rounding:
    if node is None:
        return Rounding()
    keys = reader.mapping(node, "rounding", ("mode", "at"))
    return Rounding(mode=reader.choice(keys.get("mode"), "rounding.mode", ROUNDING_MODES, HALF_UP),
                    at=reader.choice(keys.get("at"), "rounding.at", ROUNDING_PLACES, AT_LINE), line=node.line)


def check_rounding_at_component(reader: Reader, rounding: Rounding, components: tuple, node: Optional[Node]) -> None:
    """`at: component` rounds a component's exact total once, so no payment has a rounded commission of
    its own to hold to a per-payment minimum or maximum (and a reversal of a payment raised to its minimum
    would have to claw back that minimum, not its amount at the rate): refused, naming the per_payment key."""
    if rounding.at != AT_COMPONENT:
        return
    entries = node.value if node is not None and isinstance(node.value, list) else []
    for component in components:
        if getattr(component, "base", "amount") not in ("amount",) and component.kind == "line_rate":
            reader.problem(None, f"{reader.path_of(component)}.base", f"a line rate on {component.base} is rounded "
                           f"once per line from its exact value; rounding.at: {AT_COMPONENT} (line {rounding.line}) is "
                           f"for rates on amount only: use rounding.at: {AT_LINE}", line=component.line)
        if getattr(component, "per_payment_min", None) is None and getattr(component, "per_payment_max", None) is None:
            continue
        entry = next((e for e in entries if e.line == component.line), None)
        line = entry.key_line("per_payment") if entry is not None else component.line
        reader.problem(None, f"{reader.path_of(component)}.per_payment", "a per-payment minimum or maximum "
                       "needs each payment's commission rounded on its own, but the plan rounds at the component total "
                       f"(rounding.at: {AT_COMPONENT}, line {rounding.line}); use rounding.at: {AT_LINE}, or "
                       "drop per_payment", line=line)


def read_balances(reader: Reader, node: Optional[Node]) -> Balances:
    if node is None:
        return Balances()
    keys = reader.mapping(node, "balances", ("recover_at_most",))
    if "recover_at_most" not in keys:
        return Balances()
    text = reader.text(keys["recover_at_most"], "balances.recover_at_most") or ""
    if text.strip().endswith("%"):
        return Balances(recover_rate=reader.rate(keys["recover_at_most"], "balances.recover_at_most"))
    return Balances(recover_amount=reader.money(keys["recover_at_most"], "balances.recover_at_most"))


def read_leavers(reader: Reader, node: Optional[Node]) -> tuple[str, str, str]:
    """(last_period, after_end, before_start) of `leavers:`. A single value is the rule for the period
    a collector leaves in (`leavers: hold`, as plans wrote it before the mapping existed); the mapping
    also says what happens to ledger rows dated after the collector's end_date or before their
    start_date (refused unless the plan says otherwise)."""
    if node is not None and isinstance(node.value, list):
        reader.problem(node, "leavers", f"expected one of {', '.join(LEAVER_RULES)}, or a mapping such as "
                       "{last_period: hold, after_end: skip, before_start: refuse}")
        return "pay", REFUSE, REFUSE
    if node is None or not isinstance(node.value, dict):
        return reader.choice(node, "leavers", LEAVER_RULES, "pay"), REFUSE, REFUSE
    keys = reader.mapping(node, "leavers", ("last_period", "after_end", "before_start"))
    return (reader.choice(keys.get("last_period"), "leavers.last_period", LEAVER_RULES, "pay"),
            reader.choice(keys.get("after_end"), "leavers.after_end", OUTSIDE_EMPLOYMENT_RULES, REFUSE),
            reader.choice(keys.get("before_start"), "leavers.before_start", OUTSIDE_EMPLOYMENT_RULES, REFUSE))


def read_lint_ignore(reader: Reader, node: Optional[Node]) -> tuple[tuple[str, str], ...]:
    """lint: {ignore: {code: reason}}: health-check warnings the plan accepts, each with its reason."""
    if node is None:
        return ()
    ignore = reader.mapping(node, "lint", ("ignore",)).get("ignore")
    if ignore is None:
        return ()
    if not isinstance(ignore.value, dict):
        reader.problem(ignore, "lint.ignore", "map each warning code to the reason the plan accepts it, "
                     "e.g. whole-tier-cliff: retention step agreed with HR")
        return ()
    accepted = []
    for code, child in ignore.value.items():
        reason = reader.free_text(child, f"lint.ignore.{code}", "")
        if reason == "":
            reader.problem(child, f"lint.ignore.{code}", "give the reason the plan accepts this warning")
        elif reason:
            accepted.append((code, reason))
    return tuple(accepted)


def read_draw(reader: Reader, node: Optional[Node]) -> Optional[Draw]:
    if node is None:
        return None
    keys = reader.mapping(node, "draw", ("amount", "recoverable", "pay_code"), required=("amount", "recoverable"))
    amount = reader.money(keys["amount"], "draw.amount") if "amount" in keys else None
    recoverable = reader.choice(keys.get("recoverable"), "draw.recoverable", ("true", "false"), "true")
    pay_code = reader.identifier(keys["pay_code"], "draw.pay_code") if "pay_code" in keys else "commission"
    if amount is None:
        return None
    return Draw(amount=amount, recoverable=recoverable == "true", pay_code=pay_code or "commission")

"""The commission plan as immutable, validated objects.

Everything here is exact: money in integer minor units, rates as `Fraction`. Each rule
carries the id the lineage cites and the YAML line it came from. The engine reads these
objects; it never sees YAML.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Mapping, Optional, Union

from ..money import format_rate
from ..periods import Period
from .measures import counts_accounts, flag_column, measure_of, money_column, split

#: Columns every ledger has. They cannot be rate-table keys: ids are unique per row, and numbers
#: are matched by classify ranges (buckets, bands), not by value.
LEDGER_COLUMNS = ("payment_id", "collector_id", "account_id", "payment_date", "amount", "days_past_due", "balance")
#: Optional ledger columns with a meaning of their own (reversals, split credit): not rate keys either.
SPECIAL_LEDGER_COLUMNS = ("reverses", "credit_share")

#: Ledger columns a classifier may read, and whether each holds money (minor units).
CLASSIFIABLE_FIELDS = {"days_past_due": False, "balance": True, "amount": True}


@dataclass(frozen=True)
class Interval:
    """A half-open integer range [low, high) after normalisation; high None means no upper end.

    `text` keeps what the user wrote (e.g. "[1, 30]") for statements and messages.
    """

    low: int
    high: Optional[int]
    text: str

    def contains(self, value: int) -> bool:
        return value >= self.low and (self.high is None or value < self.high)


@dataclass(frozen=True)
class Classifier:
    """Labels ledger rows by which range of `field` they fall in (bucket by days past due, band by balance)."""

    name: str
    field: str
    labels: tuple[str, ...]
    intervals: tuple[Interval, ...]
    line: int = 0


@dataclass(frozen=True)
class RateRule:
    """One row of a rate table: when every condition matches a ledger row, that row earns `rate`.

    `conditions` maps a classifier name (bucket, band) or a ledger column to accepted values.
    """

    id: str
    conditions: tuple[tuple[str, tuple[str, ...]], ...]
    rate: Fraction
    line: int = 0

    @property
    def rate_text(self) -> str:
        return format_rate(self.rate)


@dataclass(frozen=True)
class LineRate:
    """A rate on each credited repayment, from the first matching rule (or the default)."""

    id: str
    pays: str
    pay_code: str
    rules: tuple[RateRule, ...]
    default: Optional[RateRule] = None
    per_payment_min: Optional[int] = None
    per_payment_max: Optional[int] = None
    description: str = ""
    line: int = 0
    base: str = "amount"  # what the rate is paid on per line: amount, fee, or a ledger money column (LINE_BASES)
    kind: str = field(default="line_rate", init=False)

    def key_columns(self) -> tuple[str, ...]:
        """Every classifier or ledger column the rules look at, in first-use order."""
        seen: dict[str, None] = {}
        for rule in self.rules:
            for column, _ in rule.conditions:
                seen.setdefault(column, None)
        return tuple(seen)


#: What a line-rate component's rate applies to on each line, besides a ledger money column by name:
#: the repayment (`amount`) or the agency's fee on it (`fee`, from the plan's `fees:` block).
LINE_BASES = ("amount", "fee")


@dataclass(frozen=True)
class Fees:
    """The agency's contingency fee on each repayment: a rate table (`table`, the grammar of a line
    rate: by bucket, portfolio...) or a ledger money column (`column`), exactly one of them."""

    table: Optional["LineRate"] = None
    column: str = ""
    line: int = 0


@dataclass(frozen=True)
class Tier:
    """[low, high) of the period measure; pays `rate` on the part of the measure in it (money measures),
    a fixed `amount`, or `each` per unit counted in it (count measures): exactly one of them.

    The bounds are money (minor units) on a money measure (recovered, fees, sum:, component:), shares
    (Fractions: 1 is 100%) of each collector's target or assigned balance on attainment or
    recovery_rate, and whole numbers on a count measure (policy.measures)."""

    id: str
    low: int | Fraction
    high: Optional[int | Fraction]
    rate: Optional[Fraction] = None
    amount: Optional[int] = None
    line: int = 0
    each: Optional[int] = None


@dataclass(frozen=True)
class Tiers:
    """A tier schedule on the collector's period total: marginal (progressive) or whole (retroactive)."""

    id: str
    pays: str
    pay_code: str
    base: str  # the measure (policy.measures): recovered, attainment, fees, accounts_settled...
    mode: str
    tiers: tuple[Tier, ...]
    description: str = ""
    line: int = 0
    kind: str = field(default="tiers", init=False)


@dataclass(frozen=True)
class Threshold:
    """Gate: below `recovered_at_least` over the listed components' window, they pay nothing.

    What a failed gate takes back is booked against each component's own pay code.
    """

    id: str
    recovered_at_least: int
    applies_to: tuple[str, ...]
    line: int = 0
    kind: str = field(default="threshold", init=False)


@dataclass(frozen=True)
class CapFloor:
    """Cap and/or floor on the sum of the listed components for the period."""

    id: str
    cap: Optional[int]
    floor: Optional[int]
    applies_to: tuple[str, ...]
    pay_code: str = "commission"
    line: int = 0
    kind: str = field(default="cap_floor", init=False)


#: Measures a bonus step or multiplier band can look at, per collector over the window:
#: attainment = recovered / target, recovery_rate = recovered / assigned balance (fractions, 1 = 100%),
#: recovered (money), qa_score (the average QA score of the collector's QA events).
KPIS = ("attainment", "recovery_rate", "recovered", "qa_score")


@dataclass(frozen=True)
class Step:
    """A bonus step: reached when the KPI is at least `at_least`; pays a fixed amount or a rate."""

    at_least: Fraction  # KPI units: a fraction for ratios, minor units for recovered, points for qa_score
    amount: Optional[int] = None
    rate: Optional[Fraction] = None
    line: int = 0


@dataclass(frozen=True)
class Bonus:
    """A KPI bonus: the highest step the collector reaches pays its fixed amount (prorated by days
    employed) or its rate on `of` (recovered, or the listed components' totals)."""

    id: str
    pays: str
    pay_code: str
    kpi: str  # the measure (policy.measures) its steps look at
    steps: tuple[Step, ...]
    of: tuple[str, ...] = ("recovered",)
    description: str = ""
    line: int = 0
    kind: str = field(default="bonus", init=False)


@dataclass(frozen=True)
class Override:
    """A team lead's share of the team's result: `rate` on the team's recovered amount or commission."""

    id: str
    pays: str
    pay_code: str
    base: str  # team_recovered | team_commission
    rate: Fraction
    description: str = ""
    line: int = 0
    kind: str = field(default="override", init=False)


#: Components that pay no money: a raise recommended (加薪) and a benefit in kind granted (福利: days of
#: leave, vouchers). They never enter the item book, payouts or pay codes; a run reports them apart
#: (raises.csv, benefits.csv), and no adjustment acts on them.
AWARD_KINDS = ("raise", "benefit")


@dataclass(frozen=True)
class AwardStep:
    """A step of a raise or a benefit: reached when the KPI is at least `at_least` (over the window, or
    in at least `in_at_least` of its measured parts). A raise step recommends `rate` of base salary or
    `amount` added to it; a benefit step grants `quantity` of the rule's unit."""

    at_least: Fraction
    rate: Optional[Fraction] = None
    amount: Optional[int] = None
    quantity: Optional[Decimal] = None
    line: int = 0


@dataclass(frozen=True)
class Raise:
    """A raise recommended (加薪) when the KPI reaches a step over the window (`pays`: quarterly or
    yearly), or in at least `in_at_least` of its `measured` parts (quarters, months); effective from
    the first day after the window, the date `effective_from`, or the first `effective_day`
    (month, day) after the window. Pays nothing in the period."""

    id: str
    pays: str
    kpi: str
    steps: tuple[AwardStep, ...]
    measured: str = ""  # '' the KPI over the whole window; monthly | quarterly: the KPI of each part
    in_at_least: int = 0  # how many parts must reach a step; 0: every part
    effective_from: Optional[date] = None
    effective_day: Optional[tuple[int, int]] = None
    only_if: tuple[str, ...] = ()  # HOLDBACK_CONDITIONS
    description: str = ""
    line: int = 0
    kind: str = field(default="raise", init=False)


@dataclass(frozen=True)
class Benefit:
    """A benefit in kind (福利) granted when the KPI reaches a step, counted in its own `unit` (days of
    leave, vouchers), measured like a raise. Pays no money."""

    id: str
    pays: str
    kpi: str
    unit: str
    steps: tuple[AwardStep, ...]
    measured: str = ""
    in_at_least: int = 0
    only_if: tuple[str, ...] = ()
    description: str = ""
    line: int = 0
    kind: str = field(default="benefit", init=False)


@dataclass(frozen=True)
class Multiplier:
    """Scales the listed components by the band the KPI falls in: accelerators above target,
    decelerators below. Bands are (from, multiplier), ascending, the first from 0."""

    id: str
    kpi: str
    bands: tuple[tuple[Fraction, Fraction], ...]
    applies_to: tuple[str, ...]
    line: int = 0
    kind: str = field(default="multiplier", init=False)


#: The events file's vocabulary: conduct events a plan's compliance rules can act on, a leaver's
#: clearance (hand-over signed off: held pay is released), and the severities of conduct events.
CONDUCT_EVENTS = ("complaint", "violation", "qa")
CLEARANCE = "clearance"
EVENT_TYPES = (*CONDUCT_EVENTS, CLEARANCE)
SEVERITIES = ("minor", "major", "serious")


@dataclass(frozen=True)
class EventEffect:
    """What one compliance event does: deduct a fixed amount or a share of the pay, or forfeit it all."""

    type: str
    severity: str  # '' matches any severity
    deduct_amount: Optional[int] = None
    deduct_rate: Optional[Fraction] = None
    forfeit: bool = False
    line: int = 0
    source: str = ""  # '' matches any source (regulator, customer, internal_qa...)

    @property
    def label(self) -> str:
        """As the plan writes it: type, type/severity, type@source or type/severity@source."""
        return (f"{self.type}/{self.severity}" if self.severity else self.type) + \
            (f"@{self.source}" if self.source else "")


@dataclass(frozen=True)
class Compliance:
    """Compliance and quality effects of the collector's events in the window on the listed components."""

    id: str
    effects: tuple[EventEffect, ...]
    applies_to: tuple[str, ...]
    line: int = 0
    kind: str = field(default="compliance", init=False)


HOLDBACK_CONDITIONS = ("still_employed", "no_serious_violation")


@dataclass(frozen=True)
class Holdback:
    """Withhold `rate` of the listed components each period; release the balance at the end of
    each `release` period if every condition holds, else forfeit it."""

    id: str
    rate: Fraction
    release: str  # quarterly | yearly
    conditions: tuple[str, ...]
    applies_to: tuple[str, ...]
    line: int = 0
    kind: str = field(default="holdback", init=False)


@dataclass(frozen=True)
class Balances:
    """Negative balances (clawbacks above earnings) are carried, not paid; later pay repays them,
    at most `recover_rate` of a period's pay and/or `recover_amount` per period when given."""

    recover_rate: Optional[Fraction] = None
    recover_amount: Optional[int] = None


@dataclass(frozen=True)
class Draw:
    """A guaranteed minimum pay per period (prorated); when recoverable, later pay above it repays it."""

    amount: int
    recoverable: bool
    pay_code: str = "commission"


#: What happens to a leaver's pay in the period they leave (`leavers: {last_period: ...}`).
LEAVER_RULES = ("pay", "hold", "forfeit")
#: What a run does with ledger rows dated after a collector's roster end_date or before their
#: start_date (`leavers: {after_end: ..., before_start: ...}`): refuse the run (the default), pay
#: them as any other row, or skip them (pay nothing, list them for HR). Reversals are exempt.
OUTSIDE_EMPLOYMENT_RULES = ("refuse", "pay", "skip")
REFUSE, SKIP = "refuse", "skip"

Component = Union[LineRate, Tiers, Bonus, Override, Raise, Benefit]
Adjustment = Union[Threshold, CapFloor, Multiplier, Compliance, Holdback]


#: Where commission is rounded: each ledger line (the default), or once per collector and component total.
AT_LINE = "line"
AT_COMPONENT = "component"


@dataclass(frozen=True)
class Rounding:
    """The plan's rounding rule: `mode` (one of money.ROUNDING_MODES) and where line-rate commission is
    rounded (`at`: AT_LINE or AT_COMPONENT); `line` is the plan line of the `rounding` key (0 when absent)."""

    mode: str = "half_up"
    at: str = AT_LINE
    line: int = field(default=0, compare=False)


#: What to do with a reversal whose original payment is not in the ledgers given.
UNMATCHED_ERROR = "error"
UNMATCHED_OWN_ATTRIBUTES = "own_attributes"
#: What a reversal of a payment made in an earlier window of a component does to what that window paid
#: (`reversals: {earlier_periods: ...}`): keep it (only the line commission is clawed back, and the
#: reversal lowers the recovery of the window it is booked in), or recompute the earlier window's tiers
#: and bonuses without the payment and book the difference now (engine.recompute).
EARLIER_KEEP = "keep"
EARLIER_RECOMPUTE = "recompute"


@dataclass(frozen=True)
class Policy:
    """A validated plan: identity, money settings, classifiers, components and adjustments."""

    plan: str
    version: int
    effective_from: date
    effective_to: Optional[date]
    currency: str
    minor_units: int
    rounding: Rounding
    classifiers: tuple[Classifier, ...]
    components: tuple[Component, ...]
    adjustments: tuple[Adjustment, ...] = ()
    fees: Optional[Fees] = None
    unmatched_reversals: str = UNMATCHED_ERROR
    earlier_periods: str = EARLIER_KEEP  # reversals of payments in an earlier window: EARLIER_KEEP | EARLIER_RECOMPUTE
    balances: Balances = Balances()
    draw: Optional[Draw] = None
    leavers: str = "pay"  # a leaver's pay in the period they leave: LEAVER_RULES
    rows_after_end: str = REFUSE  # ledger rows dated after the collector's end_date: OUTSIDE_EMPLOYMENT_RULES
    rows_before_start: str = REFUSE  # ledger rows dated before the collector's start_date
    description: str = ""
    source: str = ""
    sha256: str = ""
    effective_line: int = 1
    lint_ignore: tuple[tuple[str, str], ...] = ()  # (health-check warning code, reason the plan accepts it)
    labels: Mapping[str, Mapping[str, str]] = field(default_factory=dict, compare=False)  # id -> language -> label
    text: str = field(default="", repr=False)  # the plan file as written, copied beside every run's reports

    def classifier(self, name: str) -> Optional[Classifier]:
        return next((c for c in self.classifiers if c.name == name), None)

    def component(self, component_id: str) -> Optional[Component]:
        return next((c for c in self.components if c.id == component_id), None)

    def ledger_columns(self) -> tuple[str, ...]:
        """Ledger columns, beyond the required ones, that the rate tables (and the fee table) key on."""
        seen: dict[str, None] = {}
        tables = [c for c in self.components if isinstance(c, LineRate)]
        for table in (*tables, *([self.fees.table] if self.fees and self.fees.table else [])):
            for column in table.key_columns():
                if self.classifier(column) is None:
                    seen.setdefault(column, None)
        return tuple(seen)

    def measures(self) -> tuple[str, ...]:
        """The measures the plan's tier schedules and bonuses look at (policy.measures)."""
        return tuple(dict.fromkeys(m for c in self.components if (m := measure_of(c))))

    def money_columns(self) -> tuple[str, ...]:
        """Ledger money columns besides amount and balance that the plan reads: the fee column, line-rate
        bases and sum:<column> measures (read, checked and credited like amount)."""
        named = [self.fees.column] if self.fees and self.fees.column else []
        named += [c.base for c in self.components if isinstance(c, LineRate) and c.base not in LINE_BASES]
        named += [money_column(m) for m in self.measures() if money_column(m)]
        return tuple(dict.fromkeys(n for n in named if n not in LEDGER_COLUMNS))

    def flag_columns(self) -> tuple[str, ...]:
        """Optional true/false ledger columns the plan's count measures read (settled, promise_kept...)."""
        return tuple(dict.fromkeys(flag_column(m) for m in self.measures() if flag_column(m)))

    def counts_accounts(self) -> bool:
        """Does a measure count accounts (so the ledger keeps a code per account)?"""
        return any(counts_accounts(m) for m in self.measures())

    @property
    def pay_codes(self) -> tuple[str, ...]:
        """Pay codes in first-use order: components, caps and floors, then the draw."""
        seen: dict[str, None] = {}
        for item in (*self.components, *self.adjustments, *([self.draw] if self.draw else [])):
            if hasattr(item, "pay_code"):
                seen.setdefault(item.pay_code, None)
        return tuple(seen)

    def side_inputs(self, period: Period) -> dict[str, tuple[str, ...]]:
        """The side inputs (targets, assignments, events, roster) a run of `period` reads under this plan,
        each with the ids of the components and adjustments that read it: the components the period pays
        and the adjustments acting on them. A run names every input missing at once, before any work."""
        paid = [c for c in self.components if period.pays(c.pays)]
        paid_ids = {c.id for c in paid}
        acting = [a for a in self.adjustments if paid_ids & set(a.applies_to)]
        reads: dict[str, list[str]] = {}
        for item in (*paid, *acting):
            for role in dict.fromkeys(_reads(item, period)):
                reads.setdefault(role, []).append(item.id)
        return {role: tuple(ids) for role, ids in reads.items()}


#: The side input each KPI is measured on (the others are measured on the ledger).
KPI_INPUTS = {"attainment": "targets", "recovery_rate": "assignments", "qa_score": "events"}


def _reads(item, period: Period):
    """The side inputs one paid component or acting adjustment reads in a run of `period`."""
    measure = measure_of(item) or getattr(item, "kpi", "")
    if split(measure)[0] in KPI_INPUTS:
        yield KPI_INPUTS[split(measure)[0]]
    if item.kind == "compliance":
        yield "events"
    if item.kind == "override":
        yield "roster"
    released = item.kind == "holdback" and period.pays(item.release)
    if "no_serious_violation" in (item.conditions if released else getattr(item, "only_if", ())):
        yield "events"

"""A plan in plain words, generated from the policy, for the statement's Plan sheet and `explain`."""

from __future__ import annotations

from ..engine.rules import rule_kind
from ..i18n import t
from ..money import format_minor
from ..policy import Policy, Rounding
from ..policy.model import AT_COMPONENT

WORDS = {
    "en": {
        "rate_rule": "{conditions}: {rate} of each repayment", "any": "any other repayment",
        "default": "no rule matches: {rate}", "per_payment": "per repayment: {limits}", "min": "at least {amount}",
        "max": "at most {amount}", "and": ", ", "range": "{low} to {high}", "range_open": "{low} and above",
        "of_target": "{share} of target", "on_attainment": ", bounds as shares of the target",
        "tier_rate": "{range}: {rate} on the part in this tier", "tier_amount": "{range}: {amount}",
        "tier_whole_rate": "{range}: {rate} on the whole amount",
        "marginal": "marginal tiers on the recovered amount", "whole": "whole-amount tiers on the recovered amount",
        "marginal_on": "marginal tiers on {measure}", "whole_on": "whole-amount tiers on {measure}",
        "of_assigned": "{share} of the assigned balance", "tier_each": "{range}: {amount} for each one",
        "sum_of": "the sum of {column}", "component_total": "the total of {component}",
        "accounts_paying_in": "accounts paying in {label}",
        "fee_rule": "the agency's fee: {conditions}: {rate} of each repayment",
        "fee_default": "the agency's fee where no fee rule matches: {rate} of each repayment",
        "fee_column": "the agency's fee on each repayment: the ledger's {column} column",
        "on_fee": "{rate} of the agency's fee on each repayment (the repayment x the fee rate x {rate}, rounded "
        "once)", "on_column": "{rate} of each repayment's {column}", "conditioned": "{conditions}: {what}",
        "no_rule": "no rule matches",
        "bonus_amount": "{kpi} at least {at_least}: {amount}", "bonus_rate": "{kpi} at least {at_least}: {rate}",
        "override": "{rate} of the team's {base}", "threshold": "no commission below {amount} recovered",
        "cap": "at most {amount}", "floor": "at least {amount}", "multiplier": "{kpi} from {low}: x{factor}",
        "deduct": "each {event}: minus {amount}", "forfeit": "a {event}: the period's pay is forfeited",
        "holdback": "{rate} held back, paid at the end of the {release}{conditions}",
        "conditions": " if {conditions}", "condition_and": " and ", "event_severity": "{event} ({severity})",
        "draw": "guaranteed {amount} a period{recoverable}", "recoverable": ", recovered from later pay",
        "pays": "paid {pays}",
        "team_recovered": "recovery", "team_commission": "commission",
        "leavers_hold": "a leaver's pay is held until their hand-over is signed off (clearance event)",
        "leavers_forfeit": "a leaver's pay for the period they leave in is forfeited",
        "after_end_pay": "repayments dated after a collector left are paid",
        "after_end_skip": "repayments dated after a collector left are not paid (listed for HR to act on)",
        "before_start_pay": "repayments dated before a collector started are paid",
        "before_start_skip": "repayments dated before a collector started are not paid (listed for HR to act on)",
        "rounding_line": "commission is rounded {mode}",
        "rounding_component": "each repayment's commission is added up exactly and the total rounded {mode}, "
        "once; each repayment line shows its share of that total",
        "award_over": "{kpi} at least {at_least} over the {period}",
        "award_parts": "{kpi} at least {at_least} in at least {count} of the {parts} {part_names} of the {period}",
        "award_each": "{kpi} at least {at_least} in each of the {parts} {part_names} of the {period}",
        "raise_rate": "{measure}: a raise of {rate} of base salary is recommended",
        "raise_amount": "{measure}: a raise of {amount} to base salary is recommended",
        "effective_next": ", from the day after the {period}", "effective_date": ", from {date}",
        "effective_day": ", from the first {day} after the {period}", "decided": "decided {pays}, never paid as money",
        "benefit": "{measure}: {quantity} {unit}, not paid as money", "granted": "granted {pays}",
    },
    "zh": {
        "rate_rule": "{conditions}：每笔回款提成 {rate}", "any": "其他回款",
        "default": "无匹配规则时：{rate}", "per_payment": "每笔提成{limits}", "min": "最低 {amount}",
        "max": "最高 {amount}", "and": "，", "range": "{low} 至 {high}", "range_open": "{low} 以上",
        "of_target": "任务的 {share}", "on_attainment": "（按任务达成率分档）",
        "tier_rate": "{range}：超出部分按 {rate}", "tier_amount": "{range}：奖励 {amount}",
        "tier_whole_rate": "{range}：全额按 {rate}",
        "marginal": "回款额超额累进阶梯", "whole": "回款额全额累进阶梯",
        "marginal_on": "{measure}超额累进阶梯", "whole_on": "{measure}全额累进阶梯",
        "of_assigned": "委案金额的 {share}", "tier_each": "{range}：每个奖励 {amount}",
        "sum_of": "{column}合计", "component_total": "{component}合计",
        "accounts_paying_in": "{label}还款户数",
        "fee_rule": "机构服务费：{conditions}：每笔回款的 {rate}",
        "fee_default": "机构服务费（无匹配规则时）：每笔回款的 {rate}",
        "fee_column": "机构服务费：取回款明细的 {column} 列",
        "on_fee": "每笔回款机构服务费的 {rate}（回款额 × 服务费率 × {rate}，只取整一次）",
        "on_column": "每笔回款 {column} 的 {rate}", "conditioned": "{conditions}：{what}",
        "no_rule": "无匹配规则时",
        "bonus_amount": "{kpi}达到 {at_least}：奖励 {amount}", "bonus_rate": "{kpi}达到 {at_least}：按 {rate}",
        "override": "团队{base}的 {rate}", "threshold": "回款低于 {amount} 不计提成",
        "cap": "封顶 {amount}", "floor": "保底 {amount}", "multiplier": "{kpi}自 {low} 起：系数 {factor}",
        "deduct": "每次{event}：扣 {amount}", "forfeit": "{event}：当期提成全部不予发放",
        "holdback": "暂扣 {rate}，{release}末发放{conditions}", "conditions": "（条件：{conditions}）",
        "condition_and": "、", "event_severity": "{severity}{event}", "draw": "每期保底预付 {amount}{recoverable}",
        "recoverable": "，以后期提成偿还", "pays": "{pays}发放",
        "team_recovered": "回款", "team_commission": "提成",
        "leavers_hold": "离职人员提成暂扣，离职交接完成后发放", "leavers_forfeit": "离职当期提成不予发放",
        "after_end_pay": "离职日之后的回款照常计提", "after_end_skip": "离职日之后的回款不计提成（列出交人事处理）",
        "before_start_pay": "入职日之前的回款照常计提", "before_start_skip": "入职日之前的回款不计提成（列出交人事处理）",
        "rounding_line": "提成按{mode}取整", "rounding_component": "每笔回款的提成先精确累加，合计按{mode}取整一次；每笔明细显示其在合计中的份额",
        "award_over": "{period}{kpi}达到 {at_least}",
        "award_parts": "{period}内{parts}个{part_names}中至少{count}个{kpi}达到 {at_least}",
        "award_each": "{period}内全部{parts}个{part_names}{kpi}均达到 {at_least}",
        "raise_rate": "{measure}：建议加薪，基本工资上调 {rate}", "raise_amount": "{measure}：建议加薪，基本工资增加 {amount}",
        "effective_next": "，自该{period}结束次日起生效", "effective_date": "，自 {date} 起生效",
        "effective_day": "，自该{period}结束后的首个 {day} 起生效", "decided": "{pays}评定，不以现金发放",
        "benefit": "{measure}：{quantity} {unit}（非现金）", "granted": "{pays}评定",
    },
}
KPI_NAMES = {"en": {"attainment": "target attainment", "recovery_rate": "recovery rate", "recovered": "recovered",
                    "qa_score": "QA score", "fees": "the agency's fees", "accounts_paying": "accounts paying",
                    "accounts_settled": "accounts settled", "accounts_brought_current": "accounts brought current",
                    "promises_kept": "promises kept"},
             "zh": {"attainment": "任务达成率", "recovery_rate": "回收率", "recovered": "回款额", "qa_score": "质检分数",
                    "fees": "机构服务费", "accounts_paying": "还款户数", "accounts_settled": "结清户数",
                    "accounts_brought_current": "转正常户数", "promises_kept": "承诺还款兑现笔数"}}
CADENCE_NAMES = {"en": {"monthly": "monthly", "quarterly": "quarterly", "yearly": "yearly"},
                 "zh": {"monthly": "月度", "quarterly": "季度", "yearly": "年度"}}
PERIOD_NAMES = {"en": {"monthly": "month", "quarterly": "quarter", "yearly": "year"},
                "zh": {"monthly": "月", "quarterly": "季度", "yearly": "年度"}}
CONDITION_NAMES = {"en": {"still_employed": "still employed", "no_serious_violation": "no serious violation"},
                   "zh": {"still_employed": "仍在职", "no_serious_violation": "无严重违规"}}
KEY_NAMES = {"en": {}, "zh": {"bucket": "账龄", "band": "欠款档", "product": "产品"}}
ROUNDING_NAMES = {"en": {"half_up": "half up", "half_even": "half to even", "half_down": "half down", "down": "down",
                         "up": "up"},
                  "zh": {"half_up": "四舍五入", "half_even": "四舍六入五成双", "half_down": "五舍六入", "down": "舍去",
                         "up": "进一"}}
EVENT_NAMES = {"en": {"complaint": "complaint", "violation": "violation", "qa": "QA review"},
               "zh": {"complaint": "投诉", "violation": "违规", "qa": "质检"}}


#: The parts a raise or benefit can measure a window by (plural: "3 of the 4 quarters").
PART_NAMES = {"en": {"monthly": "months", "quarterly": "quarters"}, "zh": {"monthly": "月", "quarterly": "季度"}}

#: Vocabularies whose words are in the catalogue (commission/i18n), by their key prefix there: a
#: severity, and a value a rate rule matches (the debt-size classes small, medium, large).
CATALOGUE_TERMS = {"severities": "severity", "values": "band"}
#: The vocabularies a rule's words draw on, by name (see Words.term).
TERMS = {"kpis": KPI_NAMES, "cadences": CADENCE_NAMES, "periods": PERIOD_NAMES, "conditions": CONDITION_NAMES,
         "keys": KEY_NAMES, "events": EVENT_NAMES, "rounding": ROUNDING_NAMES, "parts": PART_NAMES}


class Words:
    """What a rule kind composes its words with (see engine.rules): `say(key, **values)` fills a sentence,
    `say.term(vocabulary, name)` names a KPI, cadence, event... (the name itself when it has no
    translation), `say.money(minor)` writes an amount."""

    def __init__(self, lang: str, minor_units: int):
        self.lang, self.minor_units = lang, minor_units

    def __call__(self, key: str, **values) -> str:
        return WORDS[self.lang][key].format(**values)

    def term(self, vocabulary: str, name: str) -> str:
        if vocabulary in CATALOGUE_TERMS:  # words the statements share, from the one catalogue
            try:
                return t(f"{CATALOGUE_TERMS[vocabulary]}.{name}", self.lang)
            except KeyError:
                return name
        return TERMS[vocabulary][self.lang].get(name, name)

    def money(self, minor: int) -> str:
        return format_minor(minor, self.minor_units, grouped=True)

    def measure(self, measure: str) -> str:
        """A measure of a tier schedule or bonus (policy.measures) in words: fees, the sum of principal..."""
        name, argument = measure.partition(":")[::2]
        if name == "sum":
            return self("sum_of", column=argument)
        if name == "component":
            return self("component_total", component=argument)
        if argument:
            return self("accounts_paying_in", label=argument)
        return self.term("kpis", name)


def fee_words(policy: Policy, say: Words) -> list[tuple[str, str, str]]:
    """The plan's `fees:` block: each fee rate rule (or the fee column), as the plan's first rows."""
    fees = policy.fees
    if fees is None:
        return []
    if fees.column:
        return [("fees", "fees", say("fee_column", column=fees.column))]
    rows = []
    for rule in fees.table.rules:
        conditions = ", ".join(f"{say.term('keys', k)} {'/'.join(v)}" for k, v in rule.conditions) or say("any")
        rows.append((rule.id, "fees", say("fee_rule", conditions=conditions, rate=rule.rate_text)))
    if fees.table.default:
        rows.append((fees.table.default.id, "fees", say("fee_default", rate=fees.table.default.rate_text)))
    return rows


def describe_plan(policy: Policy, lang: str) -> list[tuple[str, str, str]]:
    """(rule id, what it is, the rule in words) for every rule of the plan, in plan order: each rule as
    its kind words it, then the plan's leaver rule and draw."""
    say = Words(lang, policy.minor_units)
    rows = [*fee_words(policy, say), *(row for rule in (*policy.components, *policy.adjustments)
                                       for row in rule_kind(rule.kind).words(rule, policy, say))]
    rounding = policy.rounding
    if rounding.at == AT_COMPONENT and any(c.kind == "line_rate" for c in policy.components):
        rows.append(("rounding", "rounding", say("rounding_component", mode=say.term("rounding", rounding.mode))))
    elif rounding != Rounding():  # the default, half up per line, goes without saying
        rows.append(("rounding", "rounding", say("rounding_line", mode=say.term("rounding", rounding.mode))))
    if policy.leavers != "pay":
        rows.append(("leavers", "leavers", say(f"leavers_{policy.leavers}")))
    for key, rule in (("after_end", policy.rows_after_end), ("before_start", policy.rows_before_start)):
        if rule != "refuse":  # refused rows never reach a statement
            rows.append((f"leavers.{key}", "leavers", say(f"{key}_{rule}")))
    if policy.draw:
        rows.append(("draw", "draw", say("draw", amount=say.money(policy.draw.amount),
                                         recoverable=say("recoverable") if policy.draw.recoverable else "")))
    return rows

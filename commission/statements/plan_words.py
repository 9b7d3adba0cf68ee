"""A plan in plain words, generated from the policy, for the statement's Plan sheet and `explain`."""

from __future__ import annotations

from ..money import format_minor, format_rate
from ..policy import (Bonus, CapFloor, Compliance, Holdback, LineRate, Multiplier, Override, Policy, Threshold,
                      Tiers)

WORDS = {
    "en": {
        "rate_rule": "{conditions}: {rate} of each repayment", "any": "any other repayment",
        "default": "no rule matches: {rate}", "per_payment": "per repayment: {limits}", "min": "at least {amount}",
        "max": "at most {amount}", "and": ", ", "range": "{low} to {high}", "range_open": "{low} and above",
        "of_target": "{share} of target", "on_attainment": ", bounds as shares of the target",
        "tier_rate": "{range}: {rate} on the part in this tier", "tier_amount": "{range}: {amount}",
        "tier_whole_rate": "{range}: {rate} on the whole amount",
        "marginal": "marginal tiers on the recovered amount", "whole": "whole-amount tiers on the recovered amount",
        "bonus_amount": "{kpi} at least {at_least}: {amount}", "bonus_rate": "{kpi} at least {at_least}: {rate}",
        "override": "{rate} of the team's {base}", "threshold": "no commission below {amount} recovered",
        "cap": "at most {amount}", "floor": "at least {amount}", "multiplier": "{kpi} from {low}: x{factor}",
        "deduct": "each {event}: minus {amount}", "forfeit": "a {event}: the period's pay is forfeited",
        "holdback": "{rate} held back, paid at the end of the {release}{conditions}",
        "conditions": " if {conditions}", "condition_and": " and ", "draw": "guaranteed {amount} a period"
        + "{recoverable}", "recoverable": ", recovered from later pay", "pays": "paid {pays}",
        "team_recovered": "recovery", "team_commission": "commission",
        "leavers_hold": "a leaver's pay is held until their hand-over is signed off (clearance event)",
        "leavers_forfeit": "a leaver's pay for the period they leave in is forfeited",
    },
    "zh": {
        "rate_rule": "{conditions}：每笔回款提成 {rate}", "any": "其他回款",
        "default": "无匹配规则时：{rate}", "per_payment": "每笔提成{limits}", "min": "最低 {amount}",
        "max": "最高 {amount}", "and": "，", "range": "{low} 至 {high}", "range_open": "{low} 以上",
        "of_target": "任务的 {share}", "on_attainment": "（按任务达成率分档）",
        "tier_rate": "{range}：超出部分按 {rate}", "tier_amount": "{range}：奖励 {amount}",
        "tier_whole_rate": "{range}：全额按 {rate}",
        "marginal": "回款额超额累进阶梯", "whole": "回款额全额累进阶梯",
        "bonus_amount": "{kpi}达到 {at_least}：奖励 {amount}", "bonus_rate": "{kpi}达到 {at_least}：按 {rate}",
        "override": "团队{base}的 {rate}", "threshold": "回款低于 {amount} 不计提成",
        "cap": "封顶 {amount}", "floor": "保底 {amount}", "multiplier": "{kpi}自 {low} 起：系数 {factor}",
        "deduct": "每次{event}：扣 {amount}", "forfeit": "{event}：当期提成全部取消",
        "holdback": "暂扣 {rate}，{release}末发放{conditions}", "conditions": "（条件：{conditions}）",
        "condition_and": "、", "draw": "每期保底预付 {amount}{recoverable}",
        "recoverable": "，以后期提成偿还", "pays": "{pays}发放",
        "team_recovered": "回款", "team_commission": "提成",
        "leavers_hold": "离职人员提成暂扣，离职交接完成后发放", "leavers_forfeit": "离职当期提成不予发放",
    },
}
KPI_NAMES = {"en": {"attainment": "target attainment", "recovery_rate": "recovery rate", "recovered": "recovered",
                    "qa_score": "QA score"},
             "zh": {"attainment": "任务达成率", "recovery_rate": "回收率", "recovered": "回款额", "qa_score": "质检分数"}}
CADENCE_NAMES = {"en": {"monthly": "monthly", "quarterly": "quarterly", "yearly": "yearly"},
                 "zh": {"monthly": "月度", "quarterly": "季度", "yearly": "年度"}}
PERIOD_NAMES = {"en": {"monthly": "month", "quarterly": "quarter", "yearly": "year"},
                "zh": {"monthly": "月", "quarterly": "季度", "yearly": "年度"}}
CONDITION_NAMES = {"en": {"still_employed": "still employed", "no_serious_violation": "no serious violation"},
                   "zh": {"still_employed": "仍在职", "no_serious_violation": "无严重违规"}}
KEY_NAMES = {"en": {}, "zh": {"bucket": "账龄", "band": "欠款档", "product": "产品"}}
EVENT_NAMES = {"en": {"complaint": "complaint", "violation": "violation", "qa": "QA review"},
               "zh": {"complaint": "投诉", "violation": "违规", "qa": "质检"}}


def describe_plan(policy: Policy, lang: str) -> list[tuple[str, str, str]]:
    """(rule id, what it is, the rule in words) for every rule of the plan, in plan order."""
    words, minor = WORDS[lang], policy.minor_units
    money = lambda value: format_minor(value, minor, grouped=True)  # noqa: E731 - a local shorthand
    rows = []
    for component in policy.components:
        when = words["pays"].format(pays=CADENCE_NAMES[lang][component.pays])
        if isinstance(component, LineRate):
            for rule in component.rules:
                conditions = ", ".join(f"{KEY_NAMES[lang].get(k, k)} {'/'.join(v)}" for k, v in rule.conditions) \
                    or words["any"]
                rows.append((rule.id, component.id, words["rate_rule"].format(conditions=conditions,
                                                                              rate=rule.rate_text)))
            if component.default:
                rows.append((component.default.id, component.id, words["default"].format(
                    rate=component.default.rate_text)))
            limits = [words[key].format(amount=money(value)) for key, value in
                      (("min", component.per_payment_min), ("max", component.per_payment_max)) if value is not None]
            if limits:
                text = words["per_payment"].format(limits=words["and"].join(limits))
                rows.append((component.id, component.id, text))
        elif isinstance(component, Tiers):
            schedule = words[component.mode] + (words["on_attainment"] if component.base == "attainment" else "")
            rows.append((component.id, component.id, f"{schedule} ({when})"))
            for tier in component.tiers:
                bound = (lambda share: words["of_target"].format(share=format_rate(share))) \
                    if component.base == "attainment" else money
                span = words["range"].format(low=bound(tier.low), high=bound(tier.high)) if tier.high is not None \
                    else words["range_open"].format(low=bound(tier.low))
                if tier.amount is not None:
                    text = words["tier_amount"].format(range=span, amount=money(tier.amount))
                else:
                    key = "tier_rate" if component.mode == "marginal" else "tier_whole_rate"
                    text = words[key].format(range=span, rate=format_rate(tier.rate))
                rows.append((tier.id, component.id, text))
        elif isinstance(component, Bonus):
            for k, step in enumerate(component.steps):
                at_least = kpi_threshold(component.kpi, step.at_least, minor)
                text = words["bonus_amount"].format(kpi=KPI_NAMES[lang][component.kpi], at_least=at_least,
                                                    amount=money(step.amount)) if step.amount is not None else \
                    words["bonus_rate"].format(kpi=KPI_NAMES[lang][component.kpi], at_least=at_least,
                                               rate=format_rate(step.rate))
                rows.append((f"{component.id}#{k + 1}", component.id, f"{text} ({when})"))
        elif isinstance(component, Override):
            rows.append((component.id, component.id, words["override"].format(
                rate=format_rate(component.rate), base=words[component.base]) + f" ({when})"))
    for adjustment in policy.adjustments:
        rows.extend((rule, adjustment.id, text) for rule, text in _adjustment_words(adjustment, words, lang, minor))
    if policy.leavers != "pay":
        rows.append(("leavers", "leavers", words[f"leavers_{policy.leavers}"]))
    if policy.draw:
        rows.append(("draw", "draw", words["draw"].format(amount=money(policy.draw.amount),
                                                          recoverable=words["recoverable"]
                                                          if policy.draw.recoverable else "")))
    return rows


def _adjustment_words(adjustment, words, lang, minor):
    money = lambda value: format_minor(value, minor, grouped=True)  # noqa: E731
    if isinstance(adjustment, Threshold):
        yield adjustment.id, words["threshold"].format(amount=money(adjustment.recovered_at_least))
    elif isinstance(adjustment, CapFloor):
        parts = ([words["cap"].format(amount=money(adjustment.cap))] if adjustment.cap is not None else []) + \
            ([words["floor"].format(amount=money(adjustment.floor))] if adjustment.floor is not None else [])
        yield adjustment.id, "; ".join(parts)
    elif isinstance(adjustment, Multiplier):
        for k, (low, factor) in enumerate(adjustment.bands):
            yield f"{adjustment.id}#{k + 1}", words["multiplier"].format(
                kpi=KPI_NAMES[lang][adjustment.kpi], low=kpi_threshold(adjustment.kpi, low, minor),
                factor=format_rate(factor / 100)[:-1])
    elif isinstance(adjustment, Compliance):
        for effect in adjustment.effects:
            event = EVENT_NAMES[lang].get(effect.type, effect.type) + (f" ({effect.severity})" if effect.severity
                                                                       else "")
            if effect.forfeit:
                yield f"{adjustment.id}:{effect.label}", words["forfeit"].format(event=event)
            else:
                amount = money(effect.deduct_amount) if effect.deduct_amount is not None \
                    else format_rate(effect.deduct_rate)
                yield f"{adjustment.id}:{effect.label}", words["deduct"].format(event=event, amount=amount)
    elif isinstance(adjustment, Holdback):
        names = [CONDITION_NAMES[lang].get(c, c) for c in adjustment.conditions]
        conditions = words["conditions"].format(conditions=words["condition_and"].join(names)) if names else ""
        yield adjustment.id, words["holdback"].format(rate=format_rate(adjustment.rate),
                                                      release=PERIOD_NAMES[lang][adjustment.release],
                                                      conditions=conditions)


def kpi_threshold(kpi: str, value, minor: int) -> str:
    """A KPI threshold as written in the plan: 100%, 80 (points) or an amount."""
    if kpi == "recovered":
        return format_minor(int(value), minor, grouped=True)
    if kpi == "qa_score":
        return format_rate(value / 100)[:-1]
    return format_rate(value)

"""An award's evidence in the reader's words: the engine records why a collector reached a raise or a
benefit as facts in no language (engine.rules.awards.evidence: JSON of the KPI, its level, each part's
numerator and denominator, parts met and needed, conditions held); statements and explain say them
from the catalogue, with the one ratio rule (234,746.21 / 218,000.00 is 107.68%)."""

from __future__ import annotations

import json
from fractions import Fraction

from ..periods import Period


def evidence_words(evidence: str, names) -> str:
    """`evidence` (the awards' JSON) as a sentence in `names.lang` (`names`: statements.model.Names):
    'target attainment 300.00% (30,000.00 / 10,000.00) over 2026, at least 100.00%', or by parts,
    'target attainment at least 110.00% in 3 of the 4 quarters of 2026 (3 needed): 2026-Q1: ...'."""
    facts = json.loads(evidence)
    kpi, window = facts["kpi"], facts["window"]
    level = names.at_least(kpi, Fraction(facts["at_least"]))
    values = [(part, names.kpi_with_amounts(kpi, numerator, denominator) if denominator is not None
               else names.t("award.unknown")) for part, numerator, denominator in facts["parts"]]
    if not facts["measured"]:
        text = names.t("award.over", kpi=names.kpi(kpi), value=values[0][1], window=window, at_least=level)
    else:
        shown = names.t("award.separator").join(names.t("award.part", part=part, value=value)
                                                 for part, value in values)
        text = names.t("award.parts", kpi=names.kpi(kpi), at_least=level, met=facts["met"], parts=len(values),
                       part_names=names.word("part", facts["measured"]), window=window, needed=facts["needed"],
                       values=shown)
    held = {"no_serious_violation": names.t("award.no_serious_violation", window=window),
            "still_employed": names.t("award.still_employed", date=str(Period.parse(window).end))}
    return "".join([text, *(names.t("award.condition", condition=held[c]) for c in facts["conditions"])])

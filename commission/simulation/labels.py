"""Words and colours every part of a comparison report shares (charts, workbook, HTML, lint.txt), so a
scenario reads and looks the same everywhere: today is "today / 现行" and the same colour on every chart
and in every workbook chart.

Words come from the one catalogue (report.* keys), in the report's language: English, Chinese or both
(`lang`: en, zh, en+zh).
"""

from __future__ import annotations

from typing import Optional

from ..i18n import LANGUAGES, catalogue, t
from .replay import TODAY_LABEL

#: One colour per scenario, in order (today first), in every chart of the report and the workbook.
PALETTE = ("#4E79A7", "#E15759", "#59A14F", "#F28E2B", "#B07AA1", "#76B7B2", "#EDC948", "#FF9DA7", "#9C755F",
           "#BAB0AC")


def term(key: str, lang: str = "en+zh", joiner: str = " ", words: Optional[dict] = None, **values) -> str:
    """The report's word `key` (report.<key> in the catalogue, commission/i18n) in the report's language,
    or both, English first, joined by `joiner` (en+zh). `values` fill it; `words` fill a placeholder with
    another report word in the same language ({b}: report.today or report.baseline)."""
    def one(language: str) -> str:
        return t(f"report.{key}", language, **values,
                 **{name: t(f"report.{word}", language) for name, word in (words or {}).items()})
    if lang in LANGUAGES:
        return one(lang)
    english, chinese = one("en"), one("zh")
    return english if english == chinese else f"{english}{joiner}{chinese}"


def is_term(text: str) -> bool:
    """Whether `text` is a report word's key (a chart title mixes words and plain text)."""
    return f"report.{text}" in catalogue()


def shown_label(label: str, lang: str) -> str:
    """A scenario's or curve's label as shown: today in the report's language, plans by their ids."""
    if label == TODAY_LABEL:
        return term("today", lang, " / ")
    if label.startswith(TODAY_LABEL + ": "):
        return f"{term('today', lang, ' / ')}: {label[len(TODAY_LABEL) + 2:]}"
    return label


def colours(labels) -> dict[str, str]:
    """Scenario label -> its colour (hex), in the order given."""
    return {label: PALETTE[i % len(PALETTE)] for i, label in enumerate(labels)}

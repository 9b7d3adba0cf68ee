"""The one catalogue and the code agree: every key the code asks for is in messages.yaml, and every key
in it is asked for (a word nobody shows is a word nobody keeps up to date). Keys are asked for by name
(t("common.net_pay"), _("web.save") in a page, say("rate_rule") for plan.rate_rule) or built from a
family and a value (t(f"statement.status.{status}"), names.word("event", kind), "web.kind." ~ kind);
a built key counts every key of its family as used."""

import re
from pathlib import Path

from commission.i18n import catalogue

SOURCE = Path(__file__).resolve().parents[1] / "commission"
TEXT = "\n".join(path.read_text(encoding="utf-8") for path in sorted(SOURCE.rglob("*"))
                 if path.suffix in (".py", ".html"))
NAME = r"[a-z][\w.+\-]*"
#: Keys asked for by name: t(...), names.t(...), say(...), _(...) in pages; a plan's words ask
#: say("rate_rule") for plan.rate_rule.
ASKED = {*re.findall(rf"""(?<![\w.])(?:\w+\.)?(?:t|_|say)\(\s*["']({NAME}\.{NAME})["']""", TEXT),
         *(f"plan.{name}" for name in re.findall(r"""\bsay\(\s*["'](\w+)["']""", TEXT))}
#: Every quoted text of the code: a key chosen before it is asked for (key = "made.compliance_forfeit"
#: if forfeit else ...), or a name a plan's words ask for that way.
LITERALS = set(re.findall(r"""["']([\w.+\-]+)["']""", TEXT))


def built() -> list[re.Pattern]:
    """Patterns of the keys the code builds: f-strings (a {value} is any name), a family and a value
    (word("event", kind), VOCABULARIES of the plan's words), and pages' "family." ~ value."""
    patterns = []
    for prefix, template in re.findall(r"""\b(t|say)\(f["']([^"']*\{[^"']*)["']""", TEXT):
        pattern = re.sub(r"\\\{[^}]*\\\}", r"[\\w.+\\-]+", re.escape(template))
        patterns.append(re.compile(("plan\\." if prefix == "say" else "") + pattern))
    families = re.findall(r"""\bword\(\s*["']([\w.]+)["']""", TEXT) + \
        re.findall(r"""["']([\w.]+)\.["']\s*~""", TEXT) + \
        re.findall(r"""["']\w+["']:\s*["'](\w+)["']""", TEXT.split("VOCABULARIES = {", 1)[1].split("}", 1)[0])
    patterns.extend(re.compile(re.escape(family) + r"\.[\w+\-]+") for family in families)
    return [p for p in patterns if p.pattern not in (r"[\w.+\-]+", r"[\w.+\-]+\.[\w.+\-]+")]  # not "{anything}"


def test_every_key_asked_for_is_in_the_catalogue():
    missing = sorted(key for key in ASKED if key not in catalogue() and not key.endswith("."))  # "web.kind." ~ kind
    assert not missing, missing


def test_every_key_in_the_catalogue_is_asked_for():
    patterns = built()
    unused = [key for key in catalogue() if key not in ASKED | LITERALS and not any(p.fullmatch(key) for p in patterns)
              and not (key.startswith("plan.") and key.removeprefix("plan.") in LITERALS)]
    assert not unused, unused

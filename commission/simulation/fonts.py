"""Fonts for the charts: Chinese drawn on any machine, or one line saying what cannot be drawn and what to
install. Never a silent fallback to English or to empty boxes.

Fonts are tried glyph by glyph in this order (matplotlib falls back along the `font.family` list):

1. DejaVu Sans (ships with matplotlib): Latin, digits, symbols;
2. Commission Sans SC, shipped in the package (commission/fonts/CommissionSansSC-Regular.otf: Noto Sans
   CJK SC cut to the GB2312 character set, 1.5 MB, SIL Open Font License 1.1, see commission/fonts/OFL.txt):
   every character of GB2312 (6,763 hanzi, CJK punctuation, full-width forms) on every machine, the
   same PNG bytes everywhere;
3. one system CJK font, for characters beyond GB2312 (rare characters in names): fontconfig's choice
   for Simplified Chinese (`fc-match`, whose cache font packages refresh when they install) and then
   font files matplotlib finds by well-known names (machines without fontconfig).

Each font is registered with matplotlib from its file path, so matplotlib's own font cache (which may
predate a font installed later: issue 15's charts came out in English) never matters. A chart's texts
are checked after it is drawn; characters no font has are reported once, in one line naming them and
what to install (`missing_glyphs_warning`); the chart is still drawn.

The font is maintained with `python -m commission.simulation.fonts build NotoSansCJK-Regular.ttc`
(a maintainer's one-off; installs need no build step).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Optional

from matplotlib import font_manager
from matplotlib.ft2font import FT2Font

#: The font shipped in the package (package data of `commission`).
BUNDLED = Path(__file__).resolve().parents[1] / "fonts" / "CommissionSansSC-Regular.otf"
BUNDLED_FAMILY = "Commission Sans SC"
LATIN = "DejaVu Sans"
#: A font that has these has Simplified Chinese.
PROBE = "提成回款"
#: File names of common CJK fonts, for machines without fontconfig (Windows, macOS, slim images).
KNOWN_FILES = ("NotoSansCJK", "NotoSansSC", "SourceHanSans", "wqy-microhei", "wqy-zenhei", "DroidSansFallback",
               "msyh", "simhei", "simsun", "Deng", "PingFang", "Hiragino Sans GB", "STHeiti")
INSTALL = ("install a Chinese font: apt-get install fonts-noto-cjk (Debian, Ubuntu), dnf install "
           "google-noto-sans-cjk-fonts (Fedora, RHEL), apk add font-noto-cjk (Alpine)")


@lru_cache(maxsize=1)
def cjk_fonts() -> tuple[tuple[str, frozenset], ...]:
    """(family, the characters it has) of the CJK fonts charts use, the bundled one first; each is
    registered with matplotlib by its path."""
    found, seen = [], set()
    for path, index in [(BUNDLED, 0), *system_cjk_files()]:
        try:
            face = FT2Font(str(path), face_index=index)
            family = face.family_name
            if family in seen or not all(face.get_char_index(ord(ch)) for ch in PROBE):
                continue
            # fontManager.addfont registers only the first face of a .ttc (Noto CJK's is Japanese): this one
            font_manager.fontManager.ttflist.append(font_manager.ttfFontProperty(face))
            found.append((family, frozenset(chr(code) for code in face.get_charmap())))
            seen.add(family)
        except (OSError, RuntimeError, ValueError):
            continue
        if len(found) == 2:  # the bundled font and one system font are plenty
            break
    return tuple(found)


def system_cjk_files() -> list[tuple[str, int]]:
    """(file, face index) of CJK fonts on this machine: fontconfig's choice for Simplified Chinese first,
    then the font files matplotlib finds, by well-known names."""
    found: list[tuple[str, int]] = []
    if shutil.which("fc-match"):
        try:
            out = subprocess.run(["fc-match", "-s", "sans-serif:lang=zh-cn:style=Regular",
                                  "--format=%{file}|%{index}\n"], capture_output=True, text=True, timeout=10).stdout
            found = [(f, int(i or 0)) for f, _, i in (line.partition("|") for line in out.splitlines()[:5]) if f]
        except (OSError, subprocess.TimeoutExpired, ValueError):
            found = []
    names = [f for f in font_manager.findSystemFonts() if any(k.lower() in f.lower() for k in KNOWN_FILES)]
    return found + [(f, 0) for f in sorted(names, key=lambda f: ("Bold" in f, f))]


def chart_families() -> list[str]:
    """rcParams['font.family'] for charts: Latin first, then every CJK font found."""
    return [LATIN, *(family for family, _ in cjk_fonts())]


@lru_cache(maxsize=1)
def _latin() -> frozenset:
    return frozenset(chr(code) for code in FT2Font(font_manager.findfont(LATIN)).get_charmap())


def missing_characters(texts: Iterable[str]) -> list[str]:
    """The characters of `texts` no chart font has, sorted."""
    covered = _latin().union(*(chars for _, chars in cjk_fonts()))
    return sorted({ch for text in texts for ch in text if not ch.isspace() and ch not in covered})


def missing_glyphs_warning(missing: Iterable[str]) -> Optional[str]:
    """One line naming the characters that cannot be drawn and what to install (None when all can)."""
    missing = sorted(set(missing))
    if not missing:
        return None
    shown = "".join(missing[:10]) + ("..." if len(missing) > 10 else "")
    where = "no Chinese font found" if not cjk_fonts() else "in no font found"
    return (f"charts: {len(missing)} character(s) cannot be drawn ({shown}: {where}) and show as boxes; "
            f"{INSTALL}")


def build(source: str, out: Path = BUNDLED, font_number: int = 2) -> None:
    """Maintainer's one-off: cut Noto Sans CJK SC (face `font_number` of NotoSansCJK-Regular.ttc) to GB2312,
    Latin-1 and CJK punctuation, without hinting or layout features, and rename it (the OFL asks a
    modified font not to keep its reserved names)."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    chars = set()
    for high in range(0xA1, 0xF8):
        for low in range(0xA1, 0xFF):
            try:
                chars.add(bytes([high, low]).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    ranges = [(0x20, 0x7E), (0xA0, 0xFF), (0x2010, 0x2027), (0x2030, 0x2031), (0x3000, 0x303F), (0xFF01, 0xFF5E)]
    unicodes = sorted({ord(c) for c in chars} | {c for lo, hi in ranges for c in range(lo, hi + 1)}
                      | {0x20AC, 0x2212, 0xFFE5})
    options = subset.Options()
    options.layout_features = []
    options.hinting = False
    options.name_IDs = ["*"]
    options.font_number = font_number
    font = subset.load_font(source, options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=unicodes)
    subsetter.subset(font)
    for record in font["name"].names:
        if record.nameID in (1, 16):
            record.string = BUNDLED_FAMILY
        elif record.nameID in (3, 4):
            record.string = f"{BUNDLED_FAMILY} Regular"
        elif record.nameID == 6:
            record.string = "CommissionSansSC-Regular"
    font["CFF "].cff.fontNames = ["CommissionSansSC-Regular"]
    font.recalcTimestamp = False  # keeps the source's dates: the same source gives the same bytes
    font.save(str(out))
    print(f"{out}: {Path(out).stat().st_size:,} bytes, {len(TTFont(str(out)).getBestCmap()):,} characters")


if __name__ == "__main__":  # python -m commission.simulation.fonts build /usr/share/fonts/.../NotoSansCJK-Regular.ttc
    if len(sys.argv) != 3 or sys.argv[1] != "build":
        sys.exit("usage: python -m commission.simulation.fonts build NotoSansCJK-Regular.ttc")
    build(sys.argv[2])

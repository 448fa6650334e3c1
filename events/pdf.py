"""The one way the application writes PDF: fpdf2 (pure Python, installs from PyPI alone) with
the Roboto font embedded, for the call summaries and the conference day's badges and lists.

Why an embedded font: the PDF core fonts (Helvetica) cover only Latin-1. That has æ, ø and å,
but not the Sámi and Central European letters of names in a Norwegian registry (č, đ, ŋ, š,
ŧ, ž; "Čáhcesuolu"), which fpdf2 would refuse. Roboto (Apache 2.0, the `font-roboto` package)
covers Latin Extended-A and more; fpdf2 embeds only the glyphs used. A character the font does
not have (an emoji) is replaced with "?" rather than refused, so a PDF is always produced.

Knows no domain: callers hand it strings.
"""

import functools
from collections.abc import Sequence
from dataclasses import dataclass

import font_roboto
from fontTools.ttLib import TTFont
from fpdf import FPDF, FontFace, XPos, YPos
from fpdf.enums import TableCellFillMode

FAMILY = "Roboto"
_REGULAR = font_roboto.font_files["Roboto"]
_BOLD = font_roboto.font_files["RobotoBold"]
_ITALIC = font_roboto.font_files["RobotoItalic"]
MAX_CELL_CHARACTERS = 20_000
SMALLEST_SIZE = 3.0  # points: fitted text shrinks this far before a word is broken
PT = 25.4 / 72  # millimetres per point


@dataclass(frozen=True)
class Fitted:
    """Text fitted to a width: the font size (points) and its lines (at most the lines asked)."""

    size: float
    lines: tuple[str, ...]


class Document(FPDF):
    """An A4 document with Roboto, a title on the first page and page numbers in the footer.

    `page_format` (a name fpdf2 knows, or (width, height) in mm) and `numbered=False` without automatic page breaks are for pages the
    caller lays out itself (labels, badges): `add_page()` for each."""

    def __init__(
        self,
        *,
        title: str,
        footer: str = "",
        landscape: bool = False,
        page_format: str | tuple[float, float] = "A4",
        numbered: bool = True,
    ) -> None:
        super().__init__(orientation="L" if landscape else "P", unit="mm", format=page_format)
        self.add_font(FAMILY, "", _REGULAR)
        self.add_font(FAMILY, "B", _BOLD)
        self.add_font(FAMILY, "I", _ITALIC)
        self.set_title(title)
        self.set_creator("Partnerskap")
        self.numbered = numbered
        self.footer_text = footer
        if numbered:
            self.set_auto_page_break(auto=True, margin=18)
            self.set_margins(18, 18, 18)
            self.add_page()
        else:
            self.set_auto_page_break(auto=False)
            self.set_margins(0, 0, 0)
        self.set_font(FAMILY, size=10)

    def footer(self) -> None:
        if not self.numbered:
            return
        self.set_y(-12)
        self.set_font(FAMILY, "I", 8)
        self.cell(0, 6, clean("%s    %d/{nb}" % (self.footer_text, self.page_no())), align="R")

    def heading(self, text: str, *, level: int = 1) -> None:
        size = {1: 18, 2: 14, 3: 12}.get(level, 11)
        self.ln(2 if level > 1 else 0)
        self.set_font(FAMILY, "B", size)
        self.multi_cell(0, size * 0.5, clean(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font(FAMILY, size=10)
        self.ln(1)

    def paragraph(self, text: str, *, muted: bool = False, italic: bool = False) -> None:
        """Wrapped text; a blank line keeps its paragraph break, an overlong word is split."""
        self.set_font(FAMILY, "I" if italic else "", 10)
        if muted:
            self.set_text_color(90, 90, 90)
        self.multi_cell(0, 5, clean(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_text_color(0, 0, 0)
        self.set_font(FAMILY, size=10)
        self.ln(1)

    def table(  # type: ignore[override]
        self,
        header: Sequence[str],
        rows: Sequence[Sequence[object]],
        *,
        widths: Sequence[int] | None = None,
    ) -> None:
        """A table with a repeated header row; cells wrap."""
        self.set_font(FAMILY, size=9)
        with super().table(
            col_widths=tuple(widths) if widths else None,
            headings_style=FontFace(emphasis="BOLD", fill_color=(230, 230, 230)),
            cell_fill_mode=TableCellFillMode.NONE,
            line_height=5,
            text_align="LEFT",
            repeat_headings=1,
        ) as table:
            table.row([clean(str(value)) for value in header])
            for values in rows:
                table.row([clean(str(value)) for value in values])
        self.set_font(FAMILY, size=10)
        self.ln(2)

    def fit(
        self,
        text: str,
        *,
        width: float,
        size: float,
        min_size: float,
        lines: int = 2,
        style: str = "",
    ) -> Fitted:
        """The largest size from `size` down at which the text fits `width` (mm) on one line, or
        at `min_size` or below on up to `lines` lines of whole words; never cut. Only a word
        too wide at SMALLEST_SIZE is broken between letters."""
        words = clean(text).split()
        if not words:
            return Fitted(size, ())
        current = size
        while current >= SMALLEST_SIZE:
            self.set_font(FAMILY, style, current)
            wrapped = self._wrap(words, width, lines if current <= min_size else 1)
            if wrapped is not None:
                return Fitted(current, wrapped)
            current = round(current - 0.5, 1)
        self.set_font(FAMILY, style, SMALLEST_SIZE)
        return Fitted(SMALLEST_SIZE, self._break_letters(" ".join(words), width))

    def _wrap(self, words: list[str], width: float, lines: int) -> tuple[str, ...] | None:
        """Whole words on at most `lines` lines no wider than `width`, balanced; or None."""
        if self.get_string_width(" ".join(words)) <= width:
            return (" ".join(words),)
        if lines < 2 or len(words) < 2:
            return None
        best: tuple[str, ...] | None = None
        best_width = width
        for cut in range(1, len(words)):
            first, rest = " ".join(words[:cut]), words[cut:]
            first_width = self.get_string_width(first)
            if first_width > width:
                break
            tail = self._wrap(rest, width, lines - 1)
            if tail is None:
                continue
            widest = max(first_width, *(self.get_string_width(line) for line in tail))
            if widest <= best_width:
                best, best_width = (first, *tail), widest
        return best

    def _break_letters(self, text: str, width: float) -> tuple[str, ...]:
        lines, line = [], ""
        for character in text:
            if line and self.get_string_width(line + character) > width:
                lines.append(line)
                line = character.strip()
            else:
                line += character
        return (*lines, line) if line else tuple(lines)

    def fitted_text(
        self,
        fitted: Fitted,
        *,
        x: float,
        y: float,
        width: float,
        style: str = "",
        align: str = "L",
    ) -> float:
        """Draw fitted text with its top at y; returns the y below its last line."""
        self.set_font(FAMILY, style, fitted.size)
        height = fitted.size * PT * 1.2
        for line in fitted.lines:
            self.set_xy(x, y)
            self.cell(width, height, line, align=align)
            y += height
        self.set_font(FAMILY, size=10)
        return y

    def matrix(self, rows: Sequence[Sequence[bool]], *, x: float, y: float, size: float) -> None:
        """A square code (a QR code's modules, quiet zone included) drawn as filled rectangles,
        one per run of dark modules in a row: sharp at any print size."""
        module = size / len(rows)
        self.set_fill_color(0, 0, 0)
        for r, row in enumerate(rows):
            start = None
            for c, dark in enumerate([*row, False]):
                if dark and start is None:
                    start = c
                elif not dark and start is not None:
                    self.rect(x + start * module, y + r * module, (c - start) * module, module, "F")
                    start = None

    def bytes(self) -> bytes:
        return bytes(self.output())


@functools.cache
def _drawable() -> frozenset[int]:
    """The code points Roboto has glyphs for (read once per process)."""
    return frozenset(TTFont(_REGULAR, lazy=True).getBestCmap())


def clean(text: str) -> str:
    """Text the embedded font can draw: control characters dropped, characters outside the
    font (emoji and the like) shown as "?", at most MAX_CELL_CHARACTERS."""
    kept = []
    for character in text[:MAX_CELL_CHARACTERS]:
        if character in "\n\t":
            kept.append(character if character == "\n" else " ")
        elif ord(character) < 32 or 0x7F <= ord(character) < 0xA0:
            continue
        elif ord(character) not in _drawable():
            kept.append("?")
        else:
            kept.append(character)
    return "".join(kept)

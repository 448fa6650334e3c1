"""The one way the application writes PDF: fpdf2 (pure Python, installs from PyPI alone) with
the Roboto font embedded, for the call summaries and the conference badges.

Why an embedded font: the PDF core fonts (Helvetica) cover only Latin-1. That has æ, ø and å,
but not the Sámi and Central European letters of names in a Norwegian registry (č, đ, ŋ, š,
ŧ, ž; "Čáhcesuolu"), which fpdf2 would refuse. Roboto (Apache 2.0, the `font-roboto` package)
covers Latin Extended-A and more; fpdf2 embeds only the glyphs used. A character the font does
not have (an emoji) is replaced with "?" rather than refused, so a PDF is always produced.

Knows no domain: callers hand it strings.
"""

import functools
from collections.abc import Sequence

import font_roboto
from fontTools.ttLib import TTFont
from fpdf import FPDF, FontFace, XPos, YPos
from fpdf.enums import TableCellFillMode

FAMILY = "Roboto"
_REGULAR = font_roboto.font_files["Roboto"]
_BOLD = font_roboto.font_files["RobotoBold"]
_ITALIC = font_roboto.font_files["RobotoItalic"]
MAX_CELL_CHARACTERS = 20_000


class Document(FPDF):
    """An A4 document with Roboto, a title on the first page and page numbers in the footer."""

    def __init__(self, *, title: str, footer: str = "", landscape: bool = False) -> None:
        super().__init__(orientation="L" if landscape else "P", unit="mm", format="A4")
        self.add_font(FAMILY, "", _REGULAR)
        self.add_font(FAMILY, "B", _BOLD)
        self.add_font(FAMILY, "I", _ITALIC)
        self.set_title(title)
        self.set_creator("Partnerskap")
        self.set_auto_page_break(auto=True, margin=18)
        self.set_margins(18, 18, 18)
        self.footer_text = footer
        self.add_page()
        self.set_font(FAMILY, size=10)

    def footer(self) -> None:
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

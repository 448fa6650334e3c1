"""What the W3C checker and a screen-reader user notice in a page, checked without a browser.

`page_problems(html)` lists, in words:
- parse errors by the HTML standard's own parsing rules (html5lib: stray or misnested tags,
  duplicate attributes, a missing doctype);
- ids used twice, and aria-describedby / aria-labelledby / aria-controls / label for / list
  pointing at an id that is not in the page;
- headings out of order: the first is not h1, there is more than one h1, or a level is skipped
  (h1 then h3);
- an optional marker said twice ("Begrunnelse (valgfritt) (valgfritt)").
`date_problems(html, language)` lists dates not written the one way (events/dates.py).
`site_links(url, html, skip)` and `post_actions(url, html)` read a page's own links and post
forms for the tests that walk the site.
"""

import re
from html.parser import HTMLParser
from typing import NamedTuple
from urllib.parse import urljoin, urlsplit
from xml.etree.ElementTree import Element

import html5lib
from django.urls import Resolver404, resolve

REFERENCE_LISTS = ("aria-describedby", "aria-labelledby", "aria-controls", "aria-owns")
REFERENCE_SINGLE = {"label": "for", "input": "list"}
HEADING = re.compile(r"^h([1-6])$")
DOUBLED_MARKER = re.compile(r"(\([^()]{2,30}\))\s*\1")


def _text(element: Element) -> str:
    return " ".join(" ".join(element.itertext()).split())


def _parse(html: str) -> tuple[Element, list]:
    parser = html5lib.HTMLParser(tree=html5lib.getTreeBuilder("etree"), namespaceHTMLElements=False)
    return parser.parse(html), parser.errors


# Text a reader sees, but not machine text: message sources, calendar data, code, scripts.
_NOT_PROSE = {"pre", "code", "script", "style", "textarea", "iframe", "template"}
COLON_TIME = re.compile(r"\b\d{1,2}:\d{2}\b")
ABBREVIATED_MONTH = re.compile(r"\b\d{1,2}\. ?(Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Okt|Nov|Des)\b")


def _prose(element: Element) -> list[str]:
    if isinstance(element.tag, str) and element.tag in _NOT_PROSE:
        return [element.tail or ""]
    parts = [element.text or ""]
    for child in element:
        parts += _prose(child)
    return [*parts, element.tail or ""]


def date_problems(html: str, language: str) -> list[str]:
    """Dates and times not written the one way (events/dates.py): "10:00" in Norwegian text,
    capitalised month abbreviations ("11. Des 2026")."""
    document, _errors = _parse(html)
    body = document.find("body")
    text = " ".join(" ".join(_prose(body)).split()) if body is not None else ""
    problems = ["month abbreviated: %r" % m[0] for m in ABBREVIATED_MONTH.finditer(text)]
    if language in ("nb", "nn"):
        problems += [
            "time with a colon: %r" % text[max(0, m.start() - 30) : m.end() + 10]
            for m in COLON_TIME.finditer(text)
        ]
    return problems


def page_problems(html: str) -> list[str]:
    document, errors = _parse(html)
    problems = [
        "parse error at line %d, column %d: %s %s" % (line, column, code, data or "")
        for (line, column), code, data in errors
    ]

    elements = list(document.iter())
    ids: dict[str, int] = {}
    for element in elements:
        if name := element.get("id"):
            ids[name] = ids.get(name, 0) + 1
    problems += ["id %r is used %d times" % (i, n) for i, n in ids.items() if n > 1]

    for element in elements:
        tag = element.tag if isinstance(element.tag, str) else ""
        for attribute in REFERENCE_LISTS:
            for target in (element.get(attribute) or "").split():
                if target not in ids:
                    problems.append("<%s %s=%r>: no element has that id" % (tag, attribute, target))
        single = REFERENCE_SINGLE.get(tag)
        if single and element.get(single) and element.get(single) not in ids:
            problems.append(
                "<%s %s=%r>: no element has that id" % (tag, single, element.get(single))
            )

    headings = [
        (int(match[1]), _text(element))
        for element in elements
        if isinstance(element.tag, str) and (match := HEADING.match(element.tag))
    ]
    if headings and headings[0][0] != 1:
        problems.append("the first heading is h%d %r, not h1" % headings[0])
    if sum(1 for level, _ in headings if level == 1) > 1:
        problems.append("more than one h1: %r" % [text for level, text in headings if level == 1])
    for (before, _), (level, text) in zip(headings, headings[1:], strict=False):
        if level > before + 1:
            problems.append("h%d %r follows h%d: a level is skipped" % (level, text, before))

    body = document.find("body")
    text = _text(body) if body is not None else ""
    problems += ["%r said twice" % m[1] for m in DOUBLED_MARKER.finditer(text)]
    return problems


def route_of(path: str) -> str | None:
    """The URL pattern a path resolves to, or None."""
    try:
        return resolve(path).route
    except Resolver404:
        return None


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.actions: list[str] = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "a" and values.get("href"):
            self.links.append(values["href"])
        elif tag == "form" and (values.get("method") or "get").lower() == "post":
            self.actions.append(values.get("action") or "")


def _read(html: str) -> _Links:
    parser = _Links()
    parser.feed(html)
    return parser


class SiteLink(NamedTuple):
    link: str  # path and query, as the test client takes it
    path: str
    route: str | None


def site_links(url: str, html: str, skip: tuple[str, ...] = ()) -> list[SiteLink]:
    """The page's links to this site (not those under `skip`), in page order."""
    found = []
    for href in _read(html).links:
        target = urlsplit(urljoin("http://testserver" + url, href))
        if target.netloc != "testserver" or target.path.startswith(skip):
            continue
        link = target.path + ("?" + target.query if target.query else "")
        found.append(SiteLink(link, target.path, route_of(target.path)))
    return found


def post_actions(url: str, html: str) -> list[str | None]:
    """The routes the page's post forms send to."""
    return [route_of(urlsplit(urljoin(url, action)).path) for action in _read(html).actions]

"""Reading organiser pages as a browser would: html5lib's tree, elements by id or class."""

import re
from xml.etree.ElementTree import Element

import html5lib


def parse(response) -> Element:
    parser = html5lib.HTMLParser(tree=html5lib.getTreeBuilder("etree"), namespaceHTMLElements=False)
    return parser.parse(response.content.decode())


def text(element: Element | None) -> str:
    """The element's text with whitespace collapsed, as it reads."""
    assert element is not None
    return re.sub(r"\s+", " ", "".join(element.itertext())).strip()


def by_id(root: Element, id_: str) -> Element:
    found = root.find(".//*[@id='%s']" % id_)
    assert found is not None, id_
    return found


def by_class(root: Element, name: str) -> list[Element]:
    return [e for e in root.iter() if name in (e.get("class") or "").split()]


def one_by_class(root: Element, name: str) -> Element:
    found = by_class(root, name)
    assert len(found) == 1, (name, len(found))
    return found[0]

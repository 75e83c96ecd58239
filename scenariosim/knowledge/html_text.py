"""Main text of an HTML page with the standard library: scripts, styles and navigation dropped.

Good enough for saved news pages: if the page marks its content with `<article>` or
`<main>`, only that is kept; elements that are navigation by tag (`nav`, `header`,
`footer`, `aside`, forms) or by class/id/role (menu, sidebar, cookie banner, share
buttons, comments) are dropped. Block elements become paragraph breaks.
"""

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

_DROP_TAGS = frozenset(
    """script style noscript template svg canvas iframe object embed nav header footer aside
    form button select textarea dialog""".split()
)
_VOID_TAGS = frozenset(
    "area base br col embed hr img input link meta param source track wbr".split()
)
_BLOCK_TAGS = frozenset(
    """p div section article main h1 h2 h3 h4 h5 h6 li ul ol dl dt dd tr table blockquote pre
    figure figcaption address hr br""".split()
)
_BOILERPLATE = re.compile(
    r"(?:^|[\s_-])(?:nav|navbar|navigation|menu|breadcrumbs?|sidebar|footer|header|cookies?|"
    r"consent|banner|share|sharing|social|related|comments?|advert|ads?|promo|newsletter|"
    r"subscribe|skip-link|masthead)(?:$|[\s_-])",
    re.IGNORECASE,
)
_DROP_ROLES = frozenset({"navigation", "banner", "contentinfo", "complementary", "search"})
_NEVER_BY_CLASS = frozenset({"html", "body", "main", "article"})
_DATE_META = (
    "article:published_time",
    "datepublished",
    "date",
    "pubdate",
    "dc.date",
    "dcterms.date",
)


@dataclass
class HtmlPage:
    """What a page says about itself, and its readable text."""

    text: str
    title: str = ""
    site_name: str = ""
    published: str = ""
    language: str = ""
    keywords: list[str] = field(default_factory=list)


class _Extractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.drop_stack: list[str] = []  # open elements being dropped, innermost last
        self.main_depth = 0
        self.all_parts: list[str] = []
        self.main_parts: list[str] = []
        self.title_parts: list[str] = []
        self.h1_parts: list[str] = []
        self.in_title = False
        self.in_h1 = False
        self.meta: dict[str, str] = {}
        self.language = ""

    def _dropped(self, tag: str, attrs: dict[str, str]) -> bool:
        if tag in _DROP_TAGS:
            return True
        if attrs.get("role", "").lower() in _DROP_ROLES or attrs.get("aria-hidden") == "true":
            return True
        if "hidden" in attrs:
            return True
        if tag in _NEVER_BY_CLASS:
            return False
        marks = f"{attrs.get('class', '')} {attrs.get('id', '')}"
        return bool(_BOILERPLATE.search(marks))

    def _emit(self, text: str) -> None:
        self.all_parts.append(text)
        if self.main_depth:
            self.main_parts.append(text)

    def handle_starttag(self, tag: str, attrs_list: list[tuple[str, str | None]]) -> None:
        attrs = {k.lower(): (v or "") for k, v in attrs_list}
        if tag == "html" and attrs.get("lang"):
            self.language = attrs["lang"]
        if tag == "meta":
            key = (
                attrs.get("property") or attrs.get("name") or attrs.get("itemprop") or ""
            ).lower()
            if key and attrs.get("content"):
                self.meta.setdefault(key, attrs["content"].strip())
            return
        if tag == "title":
            self.in_title = True
            return
        if self.drop_stack:
            if tag not in _VOID_TAGS:
                self.drop_stack.append(tag)
            return
        if tag not in _VOID_TAGS and self._dropped(tag, attrs):
            self.drop_stack.append(tag)
            return
        if tag in ("article", "main"):
            self.main_depth += 1
        if tag == "h1":
            self.in_h1 = True
        if tag in _BLOCK_TAGS:
            self._emit("\n\n" if tag != "br" else "\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self.in_title = False
            return
        if self.drop_stack:
            # Pop back to the matching open tag; tolerates unclosed children.
            if tag in self.drop_stack:
                while self.drop_stack and self.drop_stack.pop() != tag:
                    pass
            return
        if tag in ("article", "main") and self.main_depth:
            self.main_depth -= 1
        if tag == "h1":
            self.in_h1 = False
        if tag in _BLOCK_TAGS:
            self._emit("\n\n")

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title_parts.append(data)
            return
        if self.drop_stack:
            return
        if self.in_h1:
            self.h1_parts.append(data)
        self._emit(data)


def _tidy(parts: list[str]) -> str:
    """Collapse runs of spaces; keep single paragraph breaks between blocks."""
    text = "".join(parts)
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", text)]
    lines = [p for p in paragraphs if p]
    return "\n\n".join(lines)


def extract_html(html: str) -> HtmlPage:
    """Title, site name, publication date, language, keywords and main text of a page."""
    parser = _Extractor()
    parser.feed(html)
    parser.close()
    main = _tidy(parser.main_parts)
    text = main if len(main.split()) >= 20 else _tidy(parser.all_parts)
    meta = parser.meta
    title = (
        meta.get("og:title")
        or " ".join("".join(parser.h1_parts).split())
        or " ".join("".join(parser.title_parts).split())
    )
    published = next((meta[k] for k in _DATE_META if meta.get(k)), "")
    keywords_raw = meta.get("keywords") or meta.get("article:tag") or meta.get("news_keywords", "")
    return HtmlPage(
        text=text,
        title=title,
        site_name=meta.get("og:site_name", "") or meta.get("application-name", ""),
        published=published,
        language=parser.language,
        keywords=[k.strip() for k in re.split(r"[;,]", keywords_raw) if k.strip()],
    )

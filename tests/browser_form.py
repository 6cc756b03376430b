"""Read a page's form the way a browser submits it, to post it back in tests.

Only what a browser would send is kept: text-like inputs with their values, checked boxes
and radios, each select's selected options (or its first option when none is selected),
and textareas with their line breaks sent as CR LF. Disabled controls, file inputs,
buttons and unchecked boxes send nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

NOT_SENT_TYPES = frozenset({"file", "submit", "button", "reset", "image"})


@dataclass
class _Select:
    name: str
    multiple: bool
    options: list[tuple[str, bool]] = field(default_factory=list)


@dataclass
class BrowserForm:
    """The name/value pairs a browser would submit, in document order."""

    method: str
    action: str
    pairs: list[tuple[str, str]]
    # Every control's name, sent or not: a checkbox left unticked is still a field shown.
    names: set[str]

    def data(self) -> dict[str, list[str]]:
        """The submission as a dict of lists, ready for the test client."""
        result: dict[str, list[str]] = {}
        for name, value in self.pairs:
            result.setdefault(name, []).append(value)
        return result

    def replaced(self, name: str, *values: str) -> dict[str, list[str]]:
        """The submission with one control's values replaced (none: as if cleared)."""
        assert name in self.names, f"The form has no control named {name!r}"
        result = self.data()
        result[name] = list(values)
        if not values:
            del result[name]
        return result


class _FormParser(HTMLParser):
    def __init__(self, wanted: int) -> None:
        super().__init__(convert_charrefs=True)
        self.wanted = wanted
        self.form_index = -1
        self.inside = False
        self.found: BrowserForm | None = None
        self.pairs: list[tuple[str, str]] = []
        self.names: set[str] = set()
        self.select: _Select | None = None
        self.option: dict[str, str | None] | None = None
        self.option_text: list[str] = []
        self.textarea: str | None = None
        self.textarea_text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = dict(attrs)
        if tag == "form":
            self.form_index += 1
            if self.form_index == self.wanted:
                self.inside = True
                self.found = BrowserForm(
                    method=(attr.get("method") or "get").lower(),
                    action=attr.get("action") or "",
                    pairs=self.pairs,
                    names=self.names,
                )
            return
        if not self.inside:
            return
        name = attr.get("name")
        disabled = "disabled" in attr
        if tag == "input" and name:
            kind = (attr.get("type") or "text").lower()
            if kind in NOT_SENT_TYPES:
                return
            self.names.add(name)
            if disabled:
                return
            if kind in {"checkbox", "radio"}:
                if "checked" in attr:
                    # A browser sends "on" only when the value attribute is missing.
                    value = attr.get("value")
                    self.pairs.append((name, "on" if value is None else value))
            else:
                self.pairs.append((name, attr.get("value") or ""))
        elif tag == "select" and name:
            self.names.add(name)
            self.select = None if disabled else _Select(name=name, multiple="multiple" in attr)
        elif tag == "option" and self.select is not None:
            self.option = attr
            self.option_text = []
        elif tag == "textarea" and name:
            self.names.add(name)
            self.textarea = None if disabled else name
            self.textarea_text = []

    def handle_data(self, data: str) -> None:
        if self.option is not None:
            self.option_text.append(data)
        if self.textarea is not None:
            self.textarea_text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self.inside:
            self.inside = False
        elif tag == "option" and self.select is not None and self.option is not None:
            value = self.option.get("value")
            if value is None:
                value = "".join(self.option_text).strip()
            self.select.options.append((value, "selected" in self.option))
            self.option = None
        elif tag == "select" and self.select is not None:
            chosen = [value for value, selected in self.select.options if selected]
            if not chosen and not self.select.multiple and self.select.options:
                chosen = [self.select.options[0][0]]
            if not self.select.multiple:
                chosen = chosen[-1:]
            self.pairs.extend((self.select.name, value) for value in chosen)
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            text = "".join(self.textarea_text)
            # The HTML parser drops nothing; a browser drops one line break after <textarea>.
            if text.startswith("\n"):
                text = text[1:]
            self.pairs.append((self.textarea, text.replace("\r\n", "\n").replace("\n", "\r\n")))
            self.textarea = None


def browser_form(
    html: str, *, index: int | None = None, containing: str | None = None
) -> BrowserForm:
    """The form at this position on the page, or the first whose controls include a name."""
    position = 0
    while True:
        parser = _FormParser(position if index is None else index)
        parser.feed(html)
        parser.close()
        form = parser.found
        if form is None:
            raise AssertionError(f"No form found on the page (looking for {containing!r})")
        if index is not None or containing is None or containing in form.names:
            return form
        position += 1

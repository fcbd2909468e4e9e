"""A small HTML tree for tests: find elements by tag and attributes, read their text."""

from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}  # fmt: skip


class Element:
    def __init__(self, tag, attrs, parent=None):
        self.tag, self.attrs, self.parent, self.children = tag, attrs, parent, []

    def __getitem__(self, name):
        return self.attrs[name]

    def get(self, name, default=None):
        return self.attrs.get(name, default)

    def iter(self):
        """Every element inside, in document order."""
        for child in self.children:
            if isinstance(child, Element):
                yield child
                yield from child.iter()

    def find_all(self, tag=None, class_=None, **attrs):
        """Elements with the tag (any if None), the class among their classes, and these
        attribute values (True: present, None: absent)."""

        def matches(element):
            if tag is not None and element.tag != tag:
                return False
            if class_ is not None and class_ not in element.attrs.get("class", "").split():
                return False
            for name, value in attrs.items():
                name = name.removesuffix("_").replace("_", "-")  # for_ is "for"
                if value is True:
                    if name not in element.attrs:
                        return False
                elif element.attrs.get(name) != value:
                    return False
            return True

        return [element for element in self.iter() if matches(element)]

    def find(self, tag=None, class_=None, **attrs):
        found = self.find_all(tag, class_, **attrs)
        return found[0] if found else None

    def text(self):
        return "".join(
            child.text() if isinstance(child, Element) else child for child in self.children
        )

    def position(self, element):
        return next(i for i, found in enumerate(self.iter()) if found is element)


class _TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = self.current = Element("#document", {})

    def handle_starttag(self, tag, attrs):
        element = Element(tag, {name: value or "" for name, value in attrs}, self.current)
        self.current.children.append(element)
        if tag not in VOID:
            self.current = element

    def handle_startendtag(self, tag, attrs):
        self.current.children.append(Element(tag, dict(attrs), self.current))

    def handle_endtag(self, tag):
        element = self.current
        while element is not None and element.tag != tag:
            element = element.parent
        if element is not None and element.parent is not None:
            self.current = element.parent

    def handle_data(self, data):
        self.current.children.append(data)


def parse_html(content) -> Element:
    builder = _TreeBuilder()
    builder.feed(content.decode() if isinstance(content, bytes) else content)
    builder.close()
    return builder.root

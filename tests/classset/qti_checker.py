"""A structural checker for the QTI 1.2 packages derive writes for Canvas.

Written from the content models of IMS Question & Test Interoperability ASI 1.2 (its
``questestinterop`` … ``setvar`` elements) and of IMS Content Packaging 1.1
(``imsmanifest.xml``), for the subset of those specifications that a quiz of answers with
margins uses. An element of the specifications outside that subset is reported as unknown:
when ``derive/render/quiz/qti.py`` emits a new element, the checker has to learn it first.

What is checked, per file: well-formed UTF-8 XML; every element in the file's namespace
(QTI's ``http://www.imsglobal.org/xsd/ims_qtiasiv1p2``, the one Canvas reads); per element
its allowed children in their order, text only where the specification has text, its
attributes (known ones only, the required ones present, enumerated values from the
specification's lists). Across a QTI file: object idents (assessment, section, item) unique
in the file, response, label and feedback idents unique in their item; every ``respident``
names a response of its item, every ``linkrefid`` a feedback of its item, every ``setvar`` a
``decvar``; numbers where the response or the variable is numeric. Across the package: the
manifest at the zip's root, its identifiers unique and its references resolved, every
``file`` present in the zip, every zip entry listed by a ``file``, every QTI resource checked
as above and every picture its HTML shows present. Canvas names a quiz and a question by
their titles, so this profile also requires ``title`` on ``assessment`` and ``item`` (optional
in QTI 1.2).

``assessment_problems`` and ``package_problems`` return the problems found, as sentences
(an empty list when there are none).
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from html.parser import HTMLParser
from urllib.parse import unquote, urlsplit
from xml.etree import ElementTree

QTI_NS = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"
CP_NS = "http://www.imsglobal.org/xsd/imscp_v1p1"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
XML_NS = "http://www.w3.org/XML/1998/namespace"
LANG, SPACE = f"{{{XML_NS}}}lang", f"{{{XML_NS}}}space"
SCHEMA_LOCATION = f"{{{XSI_NS}}}schemaLocation"
QTI_TYPES = ("imsqti_xmlv1p2", "imsqti_xmlv1p2p1")  # the CP resource types Canvas takes as QTI 1.2

YES_NO = ("Yes", "No")
NUMERIC = ("Integer", "Decimal", "Scientific")


@dataclass(frozen=True)
class Element:
    """One element's declaration: ``model`` is its children's content model in DTD notation
    (``None``: text only, ``""``: empty, ``mixed``: text and any of the names in ``model``);
    ``attributes`` maps each allowed attribute to ``True`` (required), ``None`` (free text)
    or its tuple of allowed values."""

    model: str | None
    attributes: dict[str, bool | tuple[str, ...] | None] = field(default_factory=dict)
    mixed: bool = False


IDENT, OPTIONAL = True, None
CONDITIONS = "not | and | or | unanswered | other | varequal | varlt | varlte | vargt | vargte"
RESPONSE = {"ident": IDENT, "rcardinality": ("Single", "Multiple", "Ordered"), "rtiming": YES_NO}
COMPARISON = {"respident": True, "index": OPTIONAL}
PLACE = {"x0": OPTIONAL, "y0": OPTIONAL, "width": OPTIONAL, "height": OPTIONAL}

QTI = {
    "questestinterop": Element("qticomment?, (assessment | (section | item)+)"),
    "qticomment": Element(None, {LANG: OPTIONAL}),
    "duration": Element(None),
    "assessment": Element("qticomment?, duration?, qtimetadata*, section+",
                          {"ident": IDENT, "title": True, LANG: OPTIONAL}),
    "section": Element("qticomment?, duration?, qtimetadata*, (item | section)*",
                       {"ident": IDENT, "title": OPTIONAL, LANG: OPTIONAL}),
    "item": Element("qticomment?, duration?, itemmetadata?, presentation?, resprocessing*, itemfeedback*",
                    {"ident": IDENT, "title": True, "label": OPTIONAL, "maxattempts": OPTIONAL,
                     LANG: OPTIONAL}),
    "itemmetadata": Element("qtimetadata*"),
    "qtimetadata": Element("vocabulary?, qtimetadatafield+"),
    "vocabulary": Element(None, {"uri": OPTIONAL, "entityref": OPTIONAL, "vocab_type": OPTIONAL}),
    "qtimetadatafield": Element("fieldlabel, fieldentry", {LANG: OPTIONAL}),
    "fieldlabel": Element(None),
    "fieldentry": Element(None),
    "presentation": Element("qticomment?, (material | response_str | response_num)+",
                            {"label": OPTIONAL, LANG: OPTIONAL, **PLACE}),
    "material": Element("qticomment?, (mattext | matbreak)+", {"label": OPTIONAL, LANG: OPTIONAL}),
    "mattext": Element(None, {"texttype": OPTIONAL, "label": OPTIONAL, "charset": OPTIONAL,
                              "uri": OPTIONAL, SPACE: ("preserve", "default"), LANG: OPTIONAL,
                              "entityref": OPTIONAL, **PLACE}),
    "matbreak": Element(""),
    "response_str": Element("material?, render_fib, material?", RESPONSE),
    "response_num": Element("material?, render_fib, material?", {**RESPONSE, "numtype": NUMERIC}),
    "render_fib": Element("(material | response_label)*",
                          {"encoding": OPTIONAL, "fibtype": ("String", *NUMERIC), "rows": OPTIONAL,
                           "maxchars": OPTIONAL, "prompt": ("Box", "Dashline", "Asterisk", "Underline"),
                           "columns": OPTIONAL, "charset": OPTIONAL, "maxnumber": OPTIONAL,
                           "minnumber": OPTIONAL}),
    "response_label": Element("qticomment | material",
                              {"ident": IDENT, "rshuffle": YES_NO,
                               "rarea": ("Ellipse", "Rectangle", "Bounded"),
                               "rrange": ("Exact", "Range"), "labelrefid": OPTIONAL,
                               "match_group": OPTIONAL, "match_max": OPTIONAL}, mixed=True),
    "resprocessing": Element("qticomment?, outcomes, respcondition+", {"scoremodel": OPTIONAL}),
    "outcomes": Element("qticomment?, decvar+"),
    "decvar": Element(None, {"varname": OPTIONAL,
                             "vartype": ("Integer", "String", "Decimal", "Scientific", "Boolean",
                                         "Enumerated", "Set"),
                             "defaultval": OPTIONAL, "minvalue": OPTIONAL, "maxvalue": OPTIONAL,
                             "members": OPTIONAL, "cutvalue": OPTIONAL}),
    "respcondition": Element("qticomment?, conditionvar, setvar*, displayfeedback*",
                             {"continue": YES_NO, "title": OPTIONAL}),
    "conditionvar": Element(f"({CONDITIONS})+"),
    "not": Element(f"({CONDITIONS})"),
    "and": Element(f"({CONDITIONS})+"),
    "or": Element(f"({CONDITIONS})+"),
    "unanswered": Element(None, {"respident": True}),
    "other": Element(None),
    "varequal": Element(None, {**COMPARISON, "case": YES_NO}),
    **{name: Element(None, COMPARISON) for name in ("varlt", "varlte", "vargt", "vargte")},
    "setvar": Element(None, {"varname": OPTIONAL,
                             "action": ("Set", "Add", "Subtract", "Multiply", "Divide")}),
    "displayfeedback": Element(None, {"feedbacktype": ("Response", "Solution", "Hint"), "linkrefid": True}),
    "itemfeedback": Element("(material | flow_mat)+",
                            {"ident": IDENT, "title": OPTIONAL,
                             "view": ("All", "Administrator", "AdminAuthority", "Assessor", "Author",
                                      "Candidate", "InvigilatorProctor", "Psychometrician", "Scorer",
                                      "Tutor")}),
    "flow_mat": Element("(flow_mat | material)+", {"class": OPTIONAL}),
}

CP = {
    "manifest": Element("metadata?, organizations, resources, manifest*",
                        {"identifier": True, "version": OPTIONAL, f"{{{XML_NS}}}base": OPTIONAL}),
    "metadata": Element("schema?, schemaversion?"),
    "schema": Element(None),
    "schemaversion": Element(None),
    "organizations": Element("organization*", {"default": OPTIONAL}),
    "organization": Element("title?, item*, metadata?", {"identifier": True, "structure": OPTIONAL}),
    "item": Element("title?, item*, metadata?", {"identifier": True, "identifierref": OPTIONAL,
                                                "isvisible": ("true", "false"), "parameters": OPTIONAL}),
    "title": Element(None),
    "resources": Element("resource*", {f"{{{XML_NS}}}base": OPTIONAL}),
    "resource": Element("metadata?, file*, dependency*", {"identifier": True, "type": True, "href": OPTIONAL,
                                                          f"{{{XML_NS}}}base": OPTIONAL}),
    "file": Element("metadata?", {"href": True}),
    "dependency": Element("", {"identifierref": True}),
}


def _regex(model: str) -> re.Pattern[str]:
    """A DTD content model as a regular expression over the children's names, each followed by ``;``."""
    parts = []
    for token in re.findall(r"\w+|[(),|?*+]", model):
        parts.append({"(": "(?:", ",": ""}.get(token, f"(?:{token};)" if token[0].isalnum() else token))
    return re.compile("(?:" + "".join(parts) + ")")


def _names(model: str | None) -> set[str]:
    return set(re.findall(r"\w+", model or ""))


MODELS = {id(table): {name: _regex(e.model) for name, e in table.items() if e.model} for table in (QTI, CP)}


def _local(element: ElementTree.Element, namespace: str) -> str | None:
    prefix = f"{{{namespace}}}"
    return element.tag[len(prefix):] if element.tag.startswith(prefix) else None


def _where(element: ElementTree.Element, name: str) -> str:
    for key in ("ident", "identifier", "href", "respident"):
        if key in element.attrib:
            return f'<{name} {key}="{element.get(key)}">'
    return f"<{name}>"


def _parse(data: bytes, label: str, problems: list[str]) -> ElementTree.Element | None:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        problems.append(f"{label}: not UTF-8 ({error})")
        return None
    declared = re.match(r"<\?xml[^>]*encoding=['\"]([^'\"]+)['\"]", text)
    if declared and declared.group(1).lower().replace("_", "-") != "utf-8":
        problems.append(f"{label}: declares encoding {declared.group(1)}, not UTF-8")
    try:
        return ElementTree.fromstring(data)
    except ElementTree.ParseError as error:
        problems.append(f"{label}: not well-formed XML ({error})")
        return None


def _structure(root: ElementTree.Element, namespace: str, table: dict[str, Element], top: str,
               label: str, problems: list[str]) -> None:
    """Names, namespaces, children in order, text and attributes, for every element under ``root``."""
    if _local(root, namespace) != top:
        problems.append(f"{label}: the root is {root.tag}, not {{{namespace}}}{top}")
        return
    location = root.get(SCHEMA_LOCATION)
    if location is not None and namespace not in location.split()[::2]:
        problems.append(f"{label}: xsi:schemaLocation does not locate {namespace}")

    def visit(element: ElementTree.Element, name: str) -> None:
        where = f"{label}: {_where(element, name)}"
        declared = table[name]
        extra = {SCHEMA_LOCATION} if element is root else set()
        for attribute, value in element.attrib.items():
            if attribute not in declared.attributes and attribute not in extra:
                problems.append(f"{where}: unknown attribute {attribute}")
                continue
            allowed = declared.attributes.get(attribute)
            if isinstance(allowed, tuple) and value not in allowed:
                problems.append(f"{where}: {attribute}={value!r} is not one of {', '.join(allowed)}")
        for attribute, rule in declared.attributes.items():
            if rule is True and not element.get(attribute, "").strip():
                problems.append(f"{where}: missing required attribute {attribute}")
        children = []
        for child in element:
            child_name = _local(child, namespace)
            if child_name is None or child_name not in table:
                kind = "unknown element" if child_name is not None else "element outside the namespace"
                problems.append(f"{where}: {kind} {child.tag}")
                continue
            if child_name not in _names(declared.model):
                problems.append(f"{where}: <{child_name}> is not allowed here")
                continue
            children.append(child_name)
            visit(child, child_name)
            if (child.tail or "").strip() and not declared.mixed:
                problems.append(f"{where}: text {child.tail.strip()[:30]!r} between its children")
        if declared.model is None or declared.model == "":
            if len(element):
                takes = "text only" if declared.model is None else "nothing"
                problems.append(f"{where}: holds elements, but takes {takes}")
            if declared.model == "" and (element.text or "").strip():
                problems.append(f"{where}: holds text, but is empty by definition")
            return
        if (element.text or "").strip() and not declared.mixed:
            problems.append(f"{where}: text {element.text.strip()[:30]!r} where only elements go")
        if not declared.mixed and len(children) == len(element):
            order = "".join(f"{c};" for c in children)
            if not MODELS[id(table)][name].fullmatch(order):
                problems.append(f"{where}: children ({', '.join(children) or 'none'}) "
                                f"do not follow ({declared.model})")

    visit(root, top)


def _number(text: str, kind: str) -> bool:
    text = text.strip()
    pattern = {"Integer": r"[+-]?\d+", "Decimal": r"[+-]?(\d+\.?\d*|\.\d+)",
               "Scientific": r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?"}[kind]
    if not re.fullmatch(pattern, text):
        return False
    try:
        Decimal(text)
    except InvalidOperation:
        return False
    return True


def _q(element: ElementTree.Element, path: str) -> list[ElementTree.Element]:
    """``element.iter`` over a QTI local name."""
    return list(element.iter(f"{{{QTI_NS}}}{path}"))


def _references(root: ElementTree.Element, label: str, problems: list[str]) -> None:
    """Idents unique, references resolved, numbers where a number belongs."""
    seen: dict[str, str] = {}
    for name in ("assessment", "section", "item"):
        for element in _q(root, name):
            ident = element.get("ident")
            if ident is None:
                continue
            if ident in seen:
                problems.append(f"{label}: ident {ident!r} of <{name}> is already "
                                f"the ident of a <{seen[ident]}>")
            seen.setdefault(ident, name)
    for item in _q(root, "item"):
        where = f"{label}: {_where(item, 'item')}"
        responses: dict[str, str] = {}
        for name in ("response_str", "response_num"):
            for response in _q(item, name):
                fib = response.find(f"{{{QTI_NS}}}render_fib")
                fibtype = fib.get("fibtype", "String") if fib is not None else "String"
                kind = response.get("numtype", "Integer") if name == "response_num" else fibtype
                responses[response.get("ident", "")] = kind
        for scope in ("response_str", "response_num", "response_label", "itemfeedback"):
            idents = [e.get("ident") for e in _q(item, scope) if e.get("ident")]
            for ident in {i for i in idents if idents.count(i) > 1}:
                problems.append(f"{where}: ident {ident!r} is given to {idents.count(ident)} <{scope}>s")
        feedbacks = {e.get("ident") for e in _q(item, "itemfeedback")}
        for processing in _q(item, "resprocessing"):
            variables = {d.get("varname", "SCORE"): d.get("vartype", "Integer")
                         for d in _q(processing, "decvar")}
            for decvar in _q(processing, "decvar"):
                for bound in ("minvalue", "maxvalue", "defaultval", "cutvalue"):
                    value = decvar.get(bound)
                    if value is not None and decvar.get("vartype", "Integer") in NUMERIC \
                            and not _number(value, "Scientific"):
                        problems.append(f"{where}: decvar {bound}={value!r} is not a number")
            for condition in _q(processing, "respcondition"):
                for test in condition.iter():
                    respident = test.get("respident")
                    if respident is None:
                        continue
                    test_name = _local(test, QTI_NS)
                    if respident not in responses:
                        problems.append(f"{where}: <{test_name}> refers to response {respident!r}, "
                                        f"which the item does not have")
                    elif responses[respident] in NUMERIC and test_name != "unanswered" \
                            and not _number(test.text or "", responses[respident]):
                        problems.append(f"{where}: <{test_name}> compares {respident!r} "
                                        f"({responses[respident]}) with {test.text!r}, "
                                        "not a number of that kind")
                for setvar in _q(condition, "setvar"):
                    varname = setvar.get("varname", "SCORE")
                    if varname not in variables:
                        problems.append(f"{where}: <setvar> sets {varname!r}, which no <decvar> declares")
                    elif variables[varname] in NUMERIC and not _number(setvar.text or "", "Scientific"):
                        problems.append(f"{where}: <setvar> gives {varname!r} the value {setvar.text!r}")
                for display in _q(condition, "displayfeedback"):
                    if display.get("linkrefid") not in feedbacks:
                        problems.append(f"{where}: <displayfeedback> links {display.get('linkrefid')!r}, "
                                        f"which is no <itemfeedback> of the item")


def assessment_problems(data: bytes, label: str = "assessment") -> list[str]:
    """The problems of one QTI 1.2 ASI file (``questestinterop``)."""
    problems: list[str] = []
    root = _parse(data, label, problems)
    if root is None:
        return problems
    _structure(root, QTI_NS, QTI, "questestinterop", label, problems)
    if not problems:
        _references(root, label, problems)
    return problems


class _Sources(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.sources: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.sources += [value for key, value in attrs if tag == "img" and key == "src" and value]


def _pictures(root: ElementTree.Element) -> list[str]:
    """The ``src`` of every ``<img>`` in the file's HTML texts."""
    found = []
    for text in _q(root, "mattext"):
        if text.get("texttype") == "text/html":
            parser = _Sources()
            parser.feed(text.text or "")
            found += parser.sources
    return found


def _inside(base: str, href: str) -> str | None:
    """``href`` (relative, URL-encoded) resolved against the folder ``base``, or ``None`` when it
    is absolute, a URL, or leaves the package."""
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or href.startswith("/"):
        return None
    path = posixpath.normpath(posixpath.join(base, unquote(parts.path)))
    return None if path.startswith("../") or path == ".." else path


def package_problems(data: bytes) -> list[str]:
    """The problems of a QTI 1.2 content package: the zip, its manifest, its assessments."""
    problems: list[str] = []
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as error:
        return [f"not a zip ({error})"]
    with archive:
        names = [info.filename for info in archive.infolist() if not info.is_dir()]
        files = {name: archive.read(name) for name in names}
    for name in {n for n in names if names.count(n) > 1}:
        problems.append(f"zip: {name} is in the zip {names.count(name)} times")
    for name in names:
        if _inside("", name) != name:
            problems.append(f"zip: the entry {name!r} is not a plain relative path")
    if "imsmanifest.xml" not in files:
        return [*problems, "zip: no imsmanifest.xml at its root"]
    root = _parse(files["imsmanifest.xml"], "imsmanifest.xml", problems)
    if root is None:
        return problems
    _structure(root, CP_NS, CP, "manifest", "imsmanifest.xml", problems)
    if problems:
        return problems

    def cp(element: ElementTree.Element, name: str) -> list[ElementTree.Element]:
        return list(element.iter(f"{{{CP_NS}}}{name}"))

    identifiers: dict[str, int] = {}
    for name in ("manifest", "organization", "item", "resource"):
        for element in cp(root, name):
            identifiers[element.get("identifier")] = identifiers.get(element.get("identifier"), 0) + 1
    for identifier, count in identifiers.items():
        if count > 1:
            problems.append(f"imsmanifest.xml: the identifier {identifier!r} is given {count} times")
    resources = {r.get("identifier"): r for r in cp(root, "resource")}
    organizations = {o.get("identifier") for o in cp(root, "organization")}
    for listing in cp(root, "organizations"):
        if listing.get("default") is not None and listing.get("default") not in organizations:
            problems.append(f"imsmanifest.xml: the default organization {listing.get('default')!r} "
                            "is no organization")
    for reference in [*cp(root, "item"), *cp(root, "dependency")]:
        target = reference.get("identifierref")
        if target is not None and target not in resources:
            problems.append(f"imsmanifest.xml: identifierref {target!r} names no resource")

    listed: list[str] = []
    base_of_resources = {id(r): listing.get(f"{{{XML_NS}}}base", "")
                         for listing in cp(root, "resources") for r in cp(listing, "resource")}
    quizzes = 0
    for identifier, resource in resources.items():
        base = posixpath.join(base_of_resources.get(id(resource), ""), resource.get(f"{{{XML_NS}}}base", ""))
        where = f'imsmanifest.xml: <resource identifier="{identifier}">'
        paths = []
        for entry in cp(resource, "file"):
            path = _inside(base, entry.get("href"))
            if path is None:
                problems.append(f"{where}: the file {entry.get('href')!r} is not a path inside the package")
            elif path not in files:
                problems.append(f"{where}: the file {path} is not in the zip")
            else:
                paths.append(path)
        listed += paths
        href = resource.get("href")
        start = _inside(base, href) if href is not None else None
        if href is not None and start not in paths:
            problems.append(f"{where}: its href {href!r} is not one of its files")
        if resource.get("type") in QTI_TYPES:
            quizzes += 1
            if start not in files:
                if href is None:
                    problems.append(f"{where}: a QTI resource without an href")
                continue
            found = assessment_problems(files[start], start)
            problems += found
            if not found:
                for source in _pictures(ElementTree.fromstring(files[start])):
                    picture = _inside(posixpath.dirname(start), source)
                    if picture not in files:
                        problems.append(f"{start}: shows the picture {source!r}, which is not in the zip")
    if quizzes == 0:
        problems.append(f"imsmanifest.xml: no resource of type {' or '.join(QTI_TYPES)}")
    for path in sorted({p for p in listed if listed.count(p) > 1}):
        problems.append(f"imsmanifest.xml: the file {path} is listed {listed.count(path)} times")
    for name in sorted(set(files) - set(listed) - {"imsmanifest.xml"}):
        problems.append(f"imsmanifest.xml: the zip entry {name} is listed by no <file>")
    return problems

r"""A class set as a QTI 1.2 package for Canvas: a zip of ``imsmanifest.xml`` and one assessment per variant.

Canvas (Classic Quizzes) draws questions for a student from question groups, one question
at a time: a group cannot hand one student all of one variant's questions together, and its
numerical questions take one number each. So each variant is its own assessment (a Canvas
quiz titled with the variant's ID, which the instructor assigns to that student): a
text-only item with the problem (the inputs, the model, the graph), then one
``numerical_question`` item per answer of answers.csv, in its column order. An item's
``resprocessing`` is the form Canvas itself exports for an exact answer with a margin
(``<or><varequal/><and><vargte/><varlte/></and></or>``), which its importer reads back as
the answer and the margin; the bounds are the key's digits minus and plus the margin,
written as exact decimals.

Entries are sorted and dated 1980-01-01, so the same set gives the same bytes.
"""

from __future__ import annotations

import io
import xml.etree.ElementTree as ElementTree
import zipfile
from decimal import Decimal

from .html import blocks_html, image_html, segments_html, variant_line, xml_text
from .question import Answer, Blank, Picture, Question
from .tolerance import Tolerance, decimal_text, margin

QTI_NS = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"
CP_NS = "http://www.imsglobal.org/xsd/imscp_v1p1"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
QTI_SCHEMA = f"{QTI_NS} http://www.imsglobal.org/xsd/ims_qtiasiv1p2p1.xsd"
CP_SCHEMA = f"{CP_NS} http://www.imsglobal.org/xsd/imscp_v1p1.xsd"
ZIP_DATE = (1980, 1, 1, 0, 0, 0)


def render_qti(questions: tuple[Question, ...], name: str, tolerance: Tolerance) -> bytes:
    """The zip: the manifest, and per variant ``variant-NN/assessment.xml`` and its pictures."""
    files: dict[str, bytes] = {}
    resources = []
    for index, question in enumerate(questions, 1):
        folder = f"variant-{index:0{len(str(len(questions)))}d}"
        pictures = {f"{folder}/{p.name}": p.content for p in dict.fromkeys(question.pictures)}
        files[f"{folder}/assessment.xml"] = _xml(_assessment(question, folder, tolerance))
        files.update(pictures)
        resources.append((folder, [f"{folder}/assessment.xml", *pictures]))
    files["imsmanifest.xml"] = _xml(_manifest(resources))
    return _zip(files)


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(files):
            info = zipfile.ZipInfo(path, ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, files[path])
    return buffer.getvalue()


def _xml(root: ElementTree.Element) -> bytes:
    ElementTree.indent(root, "  ")
    return ElementTree.tostring(root, encoding="UTF-8", xml_declaration=True) + b"\n"


def _manifest(resources: list[tuple[str, list[str]]]) -> ElementTree.Element:
    root = _root("manifest", CP_NS, CP_SCHEMA, identifier="derive-quiz")
    metadata = _sub(root, "metadata")
    _sub(metadata, "schema").text = "IMS Content"
    _sub(metadata, "schemaversion").text = "1.1.3"
    _sub(root, "organizations")
    listed = _sub(root, "resources")
    for folder, paths in resources:
        resource = _sub(listed, "resource", identifier=folder, type="imsqti_xmlv1p2", href=paths[0])
        for path in paths:
            _sub(resource, "file", href=path)
    return root


def _assessment(question: Question, folder: str, tolerance: Tolerance) -> ElementTree.Element:
    root = _root("questestinterop", QTI_NS, QTI_SCHEMA)
    title = xml_text(f"{question.title}: {question.variant}")
    assessment = _sub(root, "assessment", ident=folder, title=title)
    _fields(assessment, cc_maxattempts="1")
    section = _sub(assessment, "section", ident="root_section")
    _problem_item(section, question, folder)
    for index, answer in enumerate(question.answers, 1):
        _numerical_item(section, answer, f"{folder}-{index}", tolerance)
    return root


def _problem_item(section: ElementTree.Element, question: Question, folder: str) -> None:
    problem = question.blocks[:question.given]
    item = _sub(section, "item", ident=f"{folder}-problem", title="The problem")
    _item_fields(item, "text_only_question", "0")
    _material(_sub(item, "presentation"), variant_line(question) + blocks_html(problem, _no_blank, _image))


def _numerical_item(section: ElementTree.Element, answer: Answer, ident: str, tolerance: Tolerance) -> None:
    item = _sub(section, "item", ident=ident, title=f"Answer {ident.rsplit('-', 1)[-1]}")
    _item_fields(item, "numerical_question", "1")
    presentation = _sub(item, "presentation")
    _material(presentation, f"<p>Compute {segments_html(answer.asks, _no_blank, _image)}.</p>")
    response = _sub(presentation, "response_str", ident="response1", rcardinality="Single")
    _sub(_sub(response, "render_fib", fibtype="Decimal"), "response_label", ident="answer1")
    processing = _sub(item, "resprocessing")
    _sub(_sub(processing, "outcomes"), "decvar", maxvalue="100", minvalue="0",
         varname="SCORE", vartype="Decimal")
    condition = _sub(processing, "respcondition", **{"continue": "No"})
    either = _sub(_sub(condition, "conditionvar"), "or")
    low, high = bounds(answer.blank, tolerance)
    _sub(either, "varequal", respident="response1").text = answer.blank.shown
    within = _sub(either, "and")
    _sub(within, "vargte", respident="response1").text = decimal_text(low)
    _sub(within, "varlte", respident="response1").text = decimal_text(high)
    _sub(condition, "setvar", action="Set", varname="SCORE").text = "100"


def bounds(blank: Blank, tolerance: Tolerance) -> tuple[Decimal, Decimal]:
    """The key's number minus and plus its margin, exactly."""
    value, width = Decimal(blank.shown), margin(blank.shown, blank.digits, tolerance, blank.spread)
    return value - width, value + width


def _item_fields(item: ElementTree.Element, kind: str, points: str) -> None:
    _fields(_sub(item, "itemmetadata"), question_type=kind, points_possible=points)


def _fields(parent: ElementTree.Element, **fields: str) -> None:
    metadata = _sub(parent, "qtimetadata")
    for label, entry in fields.items():
        field = _sub(metadata, "qtimetadatafield")
        _sub(field, "fieldlabel").text = label
        _sub(field, "fieldentry").text = entry


def _material(parent: ElementTree.Element, html: str) -> None:
    _sub(_sub(parent, "material"), "mattext", texttype="text/html").text = html


def _no_blank(blank: Blank) -> str:
    raise ValueError("a QTI item's text holds no blank; its answer is the item's response")


def _image(picture: Picture) -> str:
    return image_html(picture.name, picture)


def _root(tag: str, namespace: str, schema: str, **attributes: str) -> ElementTree.Element:
    """A root element whose plain-named children are in ``namespace`` (declared as the default)."""
    return ElementTree.Element(tag, {"xmlns": namespace, "xmlns:xsi": XSI_NS, "xsi:schemaLocation": schema,
                                     **attributes})


def _sub(parent: ElementTree.Element, tag: str, **attributes: str) -> ElementTree.Element:
    return ElementTree.SubElement(parent, tag, attributes)

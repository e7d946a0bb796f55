"""The practice page as a SCORM 1.2 package: a zip of ``imsmanifest.xml`` and ``practice.html``.

One organization with one item, a SCO whose launch file is the page; the page finds the LMS's
API (``window.API``, by the standard discovery through its parent windows and its opener) and
reports ``cmi.core.score.raw`` (the share of boxes right, 0 to 100), ``cmi.core.lesson_status``
and ``cmi.core.session_time``, committing on every check (``practice.js``). Every LMS that
imports SCORM 1.2 (Moodle, Canvas through its SCORM tool, Blackboard, ...) reads this manifest;
the schema files (``.xsd``) that some packages carry are left out, as the LMSs do not need them.

The manifest's identifier is a hash of the set's name, and entries are sorted and dated
1980-01-01, so the same set gives the same bytes.
"""

from __future__ import annotations

import hashlib
import io
import xml.etree.ElementTree as ElementTree
import zipfile

from ..quiz.html import xml_text
from ..quiz.tolerance import Tolerance
from .page import render_practice
from .variant import PracticeVariant

CP_NS = "http://www.imsproject.org/xsd/imscp_rootv1p1p2"
ADLCP_NS = "http://www.adlnet.org/xsd/adlcp_rootv1p2"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMAS = (f"{CP_NS} imscp_rootv1p1p2.xsd http://www.imsglobal.org/xsd/imsmd_rootv1p2p1 imsmd_rootv1p2p1.xsd "
           f"{ADLCP_NS} adlcp_rootv1p2.xsd")
PAGE = "practice.html"
ZIP_DATE = (1980, 1, 1, 0, 0, 0)


def render_scorm(variants: tuple[PracticeVariant, ...], name: str, tolerance: Tolerance) -> bytes:
    """The package: the manifest and the page, whose script reports to the LMS."""
    page = render_practice(variants, name, tolerance, scorm=True).encode("utf-8")
    return _zip({"imsmanifest.xml": manifest(name), PAGE: page})


def manifest(name: str) -> bytes:
    """``imsmanifest.xml`` for one SCO, ``practice.html``, titled ``name``."""
    identifier = "derive-" + hashlib.sha256(name.encode("utf-8")).hexdigest()[:16]
    root = ElementTree.Element("manifest", {"identifier": identifier, "version": "1.2", "xmlns": CP_NS,
                                            "xmlns:adlcp": ADLCP_NS, "xmlns:xsi": XSI_NS,
                                            "xsi:schemaLocation": SCHEMAS})
    metadata = _sub(root, "metadata")
    _sub(metadata, "schema").text = "ADL SCORM"
    _sub(metadata, "schemaversion").text = "1.2"
    organizations = _sub(root, "organizations", default="practice")
    organization = _sub(organizations, "organization", identifier="practice")
    _sub(organization, "title").text = xml_text(name)
    item = _sub(organization, "item", identifier="practice-item", identifierref="practice-page",
                isvisible="true")
    _sub(item, "title").text = xml_text(name)
    resources = _sub(root, "resources")
    resource = _sub(resources, "resource", identifier="practice-page", type="webcontent", href=PAGE)
    resource.set("adlcp:scormtype", "sco")
    _sub(resource, "file", href=PAGE)
    ElementTree.indent(root, "  ")
    return ElementTree.tostring(root, encoding="UTF-8", xml_declaration=True) + b"\n"


def _sub(parent: ElementTree.Element, tag: str, **attributes: str) -> ElementTree.Element:
    """A child whose plain name is in the manifest's default namespace (declared on the root)."""
    return ElementTree.SubElement(parent, tag, attributes)


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(files):
            info = zipfile.ZipInfo(path, ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, files[path])
    return buffer.getvalue()

"""Every file is written inside --out, atomically: names and symlinks that lead out are refused."""

from __future__ import annotations

import pytest

from derive.errors import DeriveError
from derive.writer import inside, write_atomic


def test_a_plain_name_stays_inside(tmp_path):
    assert inside(tmp_path, "sheet.html") == tmp_path / "sheet.html"
    assert inside(tmp_path / "new" / "folder", "sheet.html").name == "sheet.html"


@pytest.mark.parametrize("name", ["../x.html", "../../etc/x", "sub/../../x", "/tmp/x.html", ".."])
def test_a_name_that_leads_out_is_refused(tmp_path, name):
    with pytest.raises(DeriveError, match=r"^--out: .* would be written outside"):
        inside(tmp_path / "out", name)


def test_a_symlink_pointing_out_is_refused_and_its_target_untouched(tmp_path):
    out, elsewhere = tmp_path / "out", tmp_path / "elsewhere.html"
    out.mkdir()
    elsewhere.write_text("mine")
    (out / "sheet.html").symlink_to(elsewhere)
    (out / "linked").symlink_to(tmp_path)
    for name in ("sheet.html", "linked/x.html"):
        with pytest.raises(DeriveError, match="outside"):
            write_atomic(inside(out, name), "<p>x</p>")
    assert elsewhere.read_text() == "mine" and not (tmp_path / "x.html").exists()

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


def test_a_dangling_symlink_as_out_is_one_line_naming_it(tmp_path):
    from derive.writer import WriteError

    (tmp_path / "out").symlink_to(tmp_path / "missing")
    with pytest.raises(WriteError) as caught:
        write_atomic(inside(tmp_path / "out", "sheet.html"), "x")
    assert str(caught.value) == (f"{tmp_path / 'out'}: cannot write it (a symlink to "
                                 f"{tmp_path / 'missing'}, which does not exist)")


def test_a_file_in_the_way_of_out_is_one_line(tmp_path):
    from derive.writer import WriteError

    (tmp_path / "file").write_text("x")
    with pytest.raises(WriteError, match=r"cannot write it \((Not a directory|not a folder)\)$"):
        write_atomic(inside(tmp_path / "file" / "sub", "sheet.html"), "x")


@pytest.mark.parametrize(("code", "reason"), [(28, "No space left on device"), (13, "Permission denied"),
                                              (30, "Read-only file system")])
def test_a_failing_disk_is_one_line_naming_the_file_and_leaves_no_temporary(tmp_path, code, reason):
    import os

    from derive.writer import WriteError, write_atomic_stream

    def half_then_fail(stream):
        stream.write(b"half")
        raise OSError(code, os.strerror(code))

    with pytest.raises(WriteError) as caught:
        write_atomic_stream(tmp_path / "sheet.pdf", half_then_fail)
    assert str(caught.value) == f"{tmp_path / 'sheet.pdf'}: cannot write it ({reason})"
    assert list(tmp_path.iterdir()) == []


def test_a_name_too_long_for_the_file_system_is_one_line(tmp_path):
    from derive.writer import WriteError

    with pytest.raises(WriteError, match=r"cannot write it \(File name too long\)$"):
        write_atomic(inside(tmp_path, "a" * 240 + ".student.fragment.html"), "x")
    assert list(tmp_path.iterdir()) == []


def test_write_all_checks_every_name_before_writing_any(tmp_path):
    from derive.writer import write_all

    out, elsewhere = tmp_path / "out", tmp_path / "elsewhere.json"
    out.mkdir()
    elsewhere.write_text("mine")
    (out / "sheet.json").symlink_to(elsewhere)  # the second document's target leads out
    with pytest.raises(DeriveError, match=r"^--out: 'sheet.json' would be written outside"):
        write_all(out, {"sheet.html": "<p>x</p>", "sheet.json": "{}"})
    assert sorted(p.name for p in out.iterdir()) == ["sheet.json"] and elsewhere.read_text() == "mine"
    (out / "sheet.json").unlink()
    assert write_all(out, {"sheet.html": "<p>x</p>", "sheet.json": "{}"}) == [out / "sheet.html",
                                                                              out / "sheet.json"]


def test_check_inside_takes_thousands_of_names_and_finds_the_one_symlink(tmp_path):
    from derive.writer import check_inside

    (tmp_path / "a-0042.key.pdf").symlink_to("/etc/hostname")
    (tmp_path / "notes.txt").symlink_to("/etc/hostname")  # not a name of ours: left alone
    names = [f"a-{k:04d}.{role}.pdf" for k in range(1, 10_001) for role in ("student", "key")]
    with pytest.raises(DeriveError, match=r"^--out: 'a-0042.key.pdf' would be written outside"):
        check_inside(tmp_path, names)
    check_inside(tmp_path, [name for name in names if name != "a-0042.key.pdf"])
    with pytest.raises(DeriveError, match="outside"):
        check_inside(tmp_path, ["../x.pdf"])

"""A class set is one spec's: an edited spec never reuses old files, one batch at a time per
folder, a full disk while joining PDFs is one line (workers ending with the batch: test_lifeline)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from derive.classset import batch
from derive.classset.batch import BatchFailure, Settings, run_batch
from derive.errors import DeriveError

from ..classsets import CLASS

SETTINGS = Settings(count=4, formats=("json",))
EDITED = CLASS.replace("learning_rate = 0.1", "learning_rate = 0.2")


def run(out: Path, text: str = CLASS, replace_set: bool = False) -> batch.Report:
    return run_batch(text, "class.toml", "neuron", out, SETTINGS, replace_set=replace_set)


def files(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.iterdir())}


def test_an_edited_spec_killed_part_way_and_rerun_never_keeps_the_old_spec_files(tmp_path, monkeypatch):
    run(tmp_path / "clean-edited", EDITED)
    out = tmp_path / "set"
    run(out)  # the set of the spec as it was
    real = batch.make_variant

    def killed_at_3(task):
        if task.index == 3:
            raise KeyboardInterrupt  # as a kill part-way: variants 1 and 2 written, 3 and 4 the old ones
        return real(task)

    monkeypatch.setattr(batch, "make_variant", killed_at_3)
    with pytest.raises(KeyboardInterrupt):
        run(out, EDITED, replace_set=True)  # the old set removed, then variants 1 and 2 of the edited
    assert sorted(p.name for p in out.iterdir()) == ["batch.json", "neuron-2026-01.key.json",
                                                     "neuron-2026-01.student.json", "neuron-2026-02.key.json",
                                                     "neuron-2026-02.student.json"]  # nothing of the old set
    monkeypatch.setattr(batch, "make_variant", real)
    report = run(out, EDITED)  # the same command finishes the edited spec's set
    assert report.rendered == 2
    assert files(out) == files(tmp_path / "clean-edited")
    assert b"0.2" in (out / "neuron-2026-04.key.json").read_bytes()


def test_a_failed_rerun_of_the_same_spec_still_resumes(tmp_path, monkeypatch):
    real = batch.make_variant
    monkeypatch.setattr(batch, "make_variant", lambda task: batch.VariantResult(
        task.index, "v", error="injected") if task.index == 3 else real(task))
    with pytest.raises(BatchFailure):
        run(tmp_path)
    monkeypatch.setattr(batch, "make_variant", real)
    assert run(tmp_path).rendered == 2


HOLD = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from derive.classset.ledger import locked
    with locked(Path(sys.argv[1])):
        print("held", flush=True)
        time.sleep(60)
""")


def test_a_second_batch_into_the_same_folder_is_refused_while_one_runs(tmp_path):
    out = tmp_path / "busy"
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(out)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(DeriveError) as caught:
            run(out)
        assert str(caught.value) == (f"--out: {out} is in use by another derive batch (process "
                                     f"{holder.pid}); wait for it to finish, or write into another folder")
        assert not (out / "batch.json").exists()
    finally:
        holder.kill()
        holder.wait()
    run(out)  # the kernel released the lock of the killed holder
    assert not (out / ".batch.lock").exists()


def test_leftover_temporary_files_are_removed_by_the_next_batch(tmp_path):
    tmp_path.joinpath(".students.pdf.abc123.tmp").write_bytes(b"half a pdf")
    run(tmp_path)
    assert not list(tmp_path.glob(".*.tmp"))


JOIN_ON_A_FULL_DISK = textwrap.dedent("""
    import errno, io, os, sys
    import pikepdf
    from pathlib import Path
    from derive import writer
    from derive.classset.pdfjoin import join_pdfs

    def document():
        pdf = pikepdf.new()
        pdf.add_blank_page()
        pdf.pages[0].Contents = pdf.make_stream(os.urandom(100_000))
        buffer = io.BytesIO()
        pdf.save(buffer)
        return buffer.getvalue()

    class Full(io.FileIO):
        written = 0
        def write(self, data):
            Full.written += len(data)
            if Full.written > 50_000:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            return super().write(data)

    writer.open = lambda path, mode: Full(path, "w")
    out = Path(sys.argv[1])
    try:
        writer.write_atomic_stream(out / "students.pdf", lambda stream: join_pdfs(
            [document(), document()], stream, ["a", "b"], {}))
    except writer.WriteError as error:
        print(error)
""")


def test_a_full_disk_while_joining_pdfs_is_one_line_and_leaves_no_temporary(tmp_path):
    done = subprocess.run([sys.executable, "-c", JOIN_ON_A_FULL_DISK, str(tmp_path)], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-500:]  # qpdf used to abort the process (SIGABRT)
    assert done.stdout == f"{tmp_path / 'students.pdf'}: cannot write it (No space left on device)\n"
    assert list(tmp_path.iterdir()) == []


def test_a_spec_name_too_long_for_its_variants_files_is_refused_before_any_work(tmp_path):
    with pytest.raises(DeriveError) as caught:
        run_batch(CLASS, "a" * 240 + ".toml", "a" * 240, tmp_path / "out", SETTINGS)
    assert caught.value.key == "a" * 80 + "… (245 characters)"  # keys are cut to 80 characters
    longest = len("a" * 240 + "-2026-04.student.json")  # the stem, the seed and index, the role
    assert f"gives file names of {longest} bytes" in caught.value.message
    assert caught.value.message.endswith("the limit is 255: rename the spec")
    assert not (tmp_path / "out").exists()


def _set(out: Path, text: str = CLASS, stem: str = "neuron", replace_set: bool = False, **settings):
    fields = {"count": 4, "formats": ("json",), **settings}
    return run_batch(text, f"{stem}.toml", stem, out, Settings(**fields), replace_set=replace_set)


def _names(out: Path) -> list[str]:
    return sorted(p.name for p in out.iterdir())


@pytest.mark.parametrize(("changed", "said"), [
    ({"text": EDITED}, "the spec's text edited"),
    ({"stem": "other"}, "the spec 'neuron' there, 'other' now"),
    ({"count": 2}, "--count 4 there, 2 now"),
    ({"formats": ("html",)}, "--format json there, html now"),
    ({"quizzes": ("moodle",)}, "quizzes none there, moodle now"),
    ({"seed": 7}, "--seed 2026 there, 7 now"),
])
def test_a_folder_holding_another_set_is_refused_in_one_line_before_any_work(tmp_path, monkeypatch,
                                                                             changed, said):
    out = tmp_path / "set"
    _set(out)
    before = files(out)
    import derive.symbolic.prepare

    monkeypatch.setattr(derive.symbolic.prepare, "prepare", lambda *a, **k: pytest.fail("work started"))
    with pytest.raises(DeriveError) as caught:
        _set(out, **changed)
    assert str(caught.value) == (f"--out: {out} holds another class set ({said}); add --replace to replace "
                                 "it, or choose another --out")
    assert files(out) == before


def test_replacing_with_fewer_variants_and_other_formats_leaves_nothing_of_the_old_set(tmp_path):
    out = tmp_path / "set"
    _set(out, formats=("json", "tex"), quizzes=("moodle",))
    assert "quiz.moodle.xml" in _names(out) and "neuron-2026-04.key.tex" in _names(out)
    (out / "my-notes.txt").write_text("the instructor's own file")
    _set(out, count=2, formats=("html",), replace_set=True)
    _set(tmp_path / "clean", count=2, formats=("html",))
    assert files(out) == {**files(tmp_path / "clean"), "my-notes.txt": b"the instructor's own file"}
    record = json.loads((out / "batch.json").read_text())
    assert record["complete"] == 2 and record["set"]["count"] == 2
    assert len(json.loads((out / "answers.json").read_text())["variants"]) == 2


def test_another_spec_replaced_leaves_none_of_its_files(tmp_path):
    out = tmp_path / "set"
    _set(out, stem="other")
    _set(out, replace_set=True)
    assert not [name for name in _names(out) if name.startswith("other")]
    assert files(out) == files(_set(tmp_path / "clean").out)


def test_the_same_settings_resume_and_a_finished_set_is_left_as_it_is(tmp_path):
    out = tmp_path / "set"
    _set(out)
    before = files(out)
    assert _set(out).rendered == 0 and files(out) == before


def test_a_batch_json_that_cannot_be_read_is_another_set(tmp_path):
    out = tmp_path / "set"
    _set(out, stem="other")
    (out / "batch.json").write_text("{ not json")
    with pytest.raises(DeriveError, match=r"holds another class set \(its batch.json cannot be read\)"):
        _set(out)
    _set(out, replace_set=True)
    assert not [name for name in _names(out) if name.startswith("other")]


def test_a_replacement_interrupted_while_removing_is_finished_by_the_same_command(tmp_path, monkeypatch):
    from derive.classset import ledger

    out = tmp_path / "set"
    _set(out, stem="other")
    real = Path.unlink
    removed = []

    def unlink_twice(path, missing_ok=False):  # as a kill after two of the old set's files were removed
        removed.append(path.name)
        if len(removed) == 3:
            raise KeyboardInterrupt
        return real(path, missing_ok=missing_ok)

    monkeypatch.setattr(ledger.Path, "unlink", unlink_twice)
    with pytest.raises(KeyboardInterrupt):
        _set(out, replace_set=True)
    monkeypatch.setattr(ledger.Path, "unlink", real)
    assert json.loads((out / "batch.json").read_text())["set"]["stem"] == "other"  # still the old set's
    with pytest.raises(DeriveError, match="holds another class set"):
        _set(out)
    _set(out, replace_set=True)
    assert not [name for name in _names(out) if name.startswith("other")]


def test_a_variant_file_that_is_a_symlink_out_of_the_folder_is_refused_before_any_work(tmp_path):
    out, elsewhere = tmp_path / "set", tmp_path / "elsewhere.json"
    out.mkdir()
    elsewhere.write_text("mine")
    (out / "neuron-2026-03.key.json").symlink_to(elsewhere)
    with pytest.raises(DeriveError, match=r"^--out: 'neuron-2026-03.key.json' would be written outside"):
        _set(out)
    assert _names(out) == ["neuron-2026-03.key.json"] and elsewhere.read_text() == "mine"

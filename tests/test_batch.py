"""Many records at once: a process pool, whole files, one bad record costing nothing else."""

import io
import json
import os
import shutil
import stat
from datetime import datetime
from pathlib import Path

import pytest

import kzdocs.batch
from kzdocs.batch import Outcome, ProgressBar, SignerSpec, render_files
from kzdocs.errors import KzdocsError, OutputClashError, OutputError
from kzdocs.files import write_atomically
from kzdocs.pdf import extract_xml
from kzdocs.render import ASTANA
from kzdocs.sign import verify_pdf
from kzdocs.xml import validate_xml

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
KEY = FIXTURES / "sign" / "dev-rsa.p12"


@pytest.fixture
def sources(tmp_path) -> list[Path]:
    paths = []
    for name in ("license-export-wheat", "refusal-one-ground"):
        paths.append(tmp_path / f"{name}.json")
        shutil.copy(FIXTURES / f"{name}.json", paths[-1])
    broken = json.loads((FIXTURES / "permit-import-cattle.json").read_text(encoding="utf-8"))
    broken["unit"] = "999"
    paths.append(tmp_path / "broken.json")
    paths[-1].write_text(json.dumps(broken), encoding="utf-8")
    return paths


def test_a_pool_of_two_renders_every_good_record_and_reports_the_bad(sources, tmp_path):
    out = tmp_path / "out"
    outcomes = render_files(sources, out, langs=("kk", "ru"), formats=("pdf", "xml"), workers=2)
    assert [o.source for o in outcomes] == [
        str(s) for s in sources
    ]  # input order, not finish order
    assert [o.ok for o in outcomes] == [True, True, False]
    assert outcomes[2].details == (
        "field 14 (Өлшем бірлігі) unit: must be a code of the EAEU classifier of units, got '999'",
    )
    assert sorted(p.name for p in out.iterdir()) == [
        "license-export-wheat.kk.pdf", "license-export-wheat.ru.pdf", "license-export-wheat.xml",
        "refusal-one-ground.kk.pdf", "refusal-one-ground.ru.pdf", "refusal-one-ground.xml",
    ]  # fmt: skip
    validate_xml(extract_xml((out / "refusal-one-ground.ru.pdf").read_bytes()))


def test_each_worker_builds_the_signer_from_its_spec(sources, tmp_path):
    spec = SignerSpec(
        "local", (("key", str(KEY)), ("password", "test")), datetime(2026, 3, 2, 10, tzinfo=ASTANA)
    )
    outcomes = render_files(sources[:2], tmp_path, formats=("pdf",), signer=spec, workers=2)
    assert all(o.ok for o in outcomes)
    for outcome in outcomes:
        assert verify_pdf(Path(outcome.written[0]).read_bytes()).valid


def test_forked_workers_take_the_parents_engine_and_key_over(sources, tmp_path, monkeypatch):
    from kzdocs.pdf.engine import PdfEngine, default_engine
    from kzdocs.sign import signers

    log = tmp_path / "made-in"

    def noted(name, make):
        def made(*args, **kwargs):
            with log.open("a", encoding="utf-8") as file:  # forked workers append here too
                file.write(f"{name} {os.getpid()}\n")
            return make(*args, **kwargs)

        return made

    monkeypatch.setattr(PdfEngine, "__init__", noted("engine", PdfEngine.__init__))
    monkeypatch.setattr(signers, "load_key", noted("key", signers.load_key))
    kzdocs.batch._signer.cache_clear()
    default_engine()  # this process renders too: its engine is lent to the workers
    spec = SignerSpec(
        "local", (("key", str(KEY)), ("password", "test")), datetime(2026, 3, 2, 10, tzinfo=ASTANA)
    )
    outcomes = render_files(sources[:2], tmp_path / "out", formats=("pdf",), signer=spec, workers=2)
    assert all(o.ok for o in outcomes)
    made = log.read_text(encoding="utf-8").split("\n")[:-1] if log.exists() else []
    assert made == [f"key {os.getpid()}"]  # the key loaded once, here; no engine built anew
    for outcome in outcomes:
        assert verify_pdf(Path(outcome.written[0]).read_bytes()).valid


def test_progress_bar_draws_on_a_terminal_only():
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal, pipe = Terminal(), io.StringIO()
    for stream in (terminal, pipe):
        bar = ProgressBar(2, stream)
        bar(Outcome("a.json", ("a.kk.pdf",)))
        bar(Outcome("b.json", error="broken"))
    assert terminal.getvalue().endswith("] 2/2 (1 failed)\n") and pipe.getvalue() == ""


def test_a_written_file_is_whole_and_readable_by_others(tmp_path):
    target = tmp_path / "deep" / "doc.pdf"
    write_atomically(target, b"%PDF-1.7")
    assert target.read_bytes() == b"%PDF-1.7"
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~_umask()
    assert [p.name for p in target.parent.iterdir()] == ["doc.pdf"]


def test_a_failed_write_leaves_no_half_file(tmp_path):
    target = tmp_path / "doc.pdf"
    with pytest.raises(TypeError):
        write_atomically(target, "not bytes")  # type: ignore[arg-type]
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("parts", "reason"),
    [
        (("afile", "doc.pdf"), "{tmp}/afile is a file, not a folder"),
        (("afile", "sub", "doc.pdf"), "a part of {tmp}/afile/sub is a file, not a folder"),
    ],
)
def test_a_path_through_a_file_is_an_output_error_naming_path_and_reason(tmp_path, parts, reason):
    (tmp_path / "afile").write_text("not a folder", encoding="utf-8")
    target = tmp_path.joinpath(*parts)
    with pytest.raises(OutputError) as caught:
        write_atomically(target, b"%PDF-1.7")
    assert isinstance(caught.value, OSError) and isinstance(caught.value, KzdocsError)
    assert (caught.value.path, caught.value.reason) == (str(target), reason.format(tmp=tmp_path))
    assert str(caught.value) == f"{target}: cannot be written: {caught.value.reason}"


def test_a_target_that_is_a_folder_is_an_output_error_and_leaves_no_temporary_file(tmp_path):
    (tmp_path / "doc.pdf").mkdir()
    with pytest.raises(OutputError, match=r"doc\.pdf: cannot be written: Is a directory"):
        write_atomically(tmp_path / "doc.pdf", b"%PDF-1.7")
    assert [p.name for p in tmp_path.iterdir()] == ["doc.pdf"]


@pytest.mark.parametrize("workers", [1, 2])
def test_a_failed_write_costs_only_its_record(sources, tmp_path, workers):
    out = tmp_path / "out"
    (out / "license-export-wheat.kk.html").mkdir(parents=True)  # in the way of the document
    outcomes = render_files(sources[:2], out, workers=workers)
    assert [o.ok for o in outcomes] == [False, True]
    assert outcomes[0].error == (
        f"{out}/license-export-wheat.kk.html: cannot be written: Is a directory"
    )
    assert "Дәлелді бас тарту" in (out / "refusal-one-ground.kk.html").read_text(encoding="utf-8")


def test_an_unexpected_error_of_one_record_is_its_failure_not_the_batch(sources, monkeypatch):
    real_prepare = kzdocs.batch.prepare

    def prepare(record, **options):
        if record["kind"] == "refusal":
            raise RuntimeError("surprise")
        return real_prepare(record, **options)

    monkeypatch.setattr(kzdocs.batch, "prepare", prepare)
    outcomes = render_files(sources[:2], sources[0].parent / "out", workers=1)
    assert [o.ok for o in outcomes] == [True, False]
    assert outcomes[1].error == "unexpected RuntimeError: surprise"


@pytest.mark.parametrize("second", ["b/x.json", "b/X.json", "a/x.json"])
def test_records_whose_documents_would_share_a_name_are_refused_before_any_is_written(
    tmp_path, second
):
    for name in ("a/x.json", second, "c/y.json"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        shutil.copy(FIXTURES / "license-export-wheat.json", tmp_path / name)
    sources = [tmp_path / "a/x.json", tmp_path / "c/y.json", tmp_path / second]
    with pytest.raises(OutputClashError) as caught:
        render_files(sources, tmp_path / "out", workers=1)
    assert caught.value.clashes == [(str(sources[0]), str(sources[2]))]
    assert f"overwrite each other's documents: {sources[0]} and {sources[2]};" in str(caught.value)
    assert isinstance(caught.value, ValueError)
    assert not (tmp_path / "out").exists()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_every_format_of_a_record_carries_the_same_signature(sources, tmp_path):
    spec = SignerSpec("local", (("key", str(KEY)), ("password", "test")))  # signed "now"
    (outcome,) = render_files(sources[:1], tmp_path, formats=("xml", "pdf"), signer=spec, workers=1)
    xml, pdf = (Path(path).read_bytes() for path in outcome.written)
    assert b"SignatureValue" in xml and extract_xml(pdf) == xml


def test_workers_leave_no_temporary_files(sources, tmp_path, monkeypatch):
    import tempfile

    system_temporary = tmp_path / "tmp"
    system_temporary.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(system_temporary))  # the forked workers' too
    outcomes = render_files(sources[:2], tmp_path / "out", formats=("pdf",), workers=2)
    assert all(o.ok for o in outcomes)
    assert list(system_temporary.iterdir()) == []

"""One error root (`pactlab.errors`), and the one place the CLI turns error classes into exit codes."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

import pactlab.errors
from evals.audit import AuditConflict, AuditCorrupt, AuditError, AuditIncomplete, AuditSealed, AuditWriteError
from evals.termsheet import NoAgreement
from pactlab.app.cli import app, exit_codes
from pactlab.app.cli.errors import exit_code
from pactlab.app.sweeps.reading import NoSweep
from pactlab.app.sweeps.store import StoreMismatch
from pactlab.domain.loader import FileError, Problem
from pactlab.errors import BadInput, Conflict, ExternalError, InternalError, NotFound, PactlabError, RecordError
from pactlab.workflow.runner import NegotiationFinished, NegotiationNotFound, WaitingForPerson

runner = CliRunner()
PACKAGES = ("pactlab", "agents", "policies", "evals", "benchmarks")


def invoke_raising(monkeypatch: pytest.MonkeyPatch, exc: BaseException, *options: str) -> Result:
    """Run `pactlab [options] scenario list` with the shipped-scenario lookup raising `exc`."""

    def boom() -> None:
        raise exc

    monkeypatch.setattr("pactlab.domain.catalog.shipped_scenarios", boom)
    return runner.invoke(app, [*options, "scenario", "list"])


@pytest.mark.parametrize(
    ("exc", "code"),
    [
        (BadInput("no such option value"), exit_codes.BAD_INPUT),
        (FileError([Problem("f.yaml", 3, 5, "issues[0].id", "field required")]), exit_codes.BAD_INPUT),
        (NotFound("no negotiation 'x'"), exit_codes.NOT_FOUND),
        (NegotiationNotFound("no negotiation 'x'"), exit_codes.NOT_FOUND),
        (NegotiationFinished("negotiation 'x' has already ended"), exit_codes.NOT_FOUND),
        (NoSweep("no sweep store"), exit_codes.NOT_FOUND),
        (RecordError("line 3 was altered"), exit_codes.TAMPERED),
        (AuditCorrupt("line 3 was altered", line=3), exit_codes.TAMPERED),
        (AuditIncomplete("cut short"), exit_codes.INCOMPLETE),
        (Conflict("negotiation id 'x' already exists"), exit_codes.CONFLICT),
        (StoreMismatch("the folder holds another sweep"), exit_codes.CONFLICT),
        (AuditSealed("sealed"), exit_codes.CONFLICT),
        (ExternalError("the local model server would not start"), exit_codes.FAILURE),
        (AuditWriteError(Path("t.jsonl"), "disk full"), exit_codes.FAILURE),
    ],
    ids=lambda v: type(v).__name__ if isinstance(v, BaseException) else str(v),
)
def test_each_error_class_has_its_exit_code_and_no_traceback(
    monkeypatch: pytest.MonkeyPatch, exc: PactlabError, code: int
) -> None:
    result = invoke_raising(monkeypatch, exc)
    assert result.exit_code == code, result.output
    output = result.output
    assert "Traceback" not in output
    assert output.splitlines()[0] == f"error: {str(exc).splitlines()[0]}"


def test_a_file_error_prints_one_line_per_problem(monkeypatch: pytest.MonkeyPatch) -> None:
    problems = [Problem("f.yaml", 3, 5, "issues[0].id", "field required"), Problem("f.yaml", 9, 1, "", "bad [x]")]
    result = invoke_raising(monkeypatch, FileError(problems))
    assert result.exit_code == exit_codes.BAD_INPUT
    assert result.output.splitlines() == [f"error: {p}" for p in problems]


def test_error_text_is_not_read_as_rich_markup(monkeypatch: pytest.MonkeyPatch) -> None:
    result = invoke_raising(monkeypatch, BadInput("give [bold]one[/bold] of [a, b]"))
    assert result.output.splitlines() == ["error: give [bold]one[/bold] of [a, b]"]


def test_notes_follow_the_error(monkeypatch: pytest.MonkeyPatch) -> None:
    exc = NotFound("no rehearsal 'r'")
    exc.add_note("pass --out DIR of the rehearsal")
    result = invoke_raising(monkeypatch, exc)
    assert result.exit_code == exit_codes.NOT_FOUND
    assert result.output.splitlines() == ["error: no rehearsal 'r'", "  pass --out DIR of the rehearsal"]


@pytest.mark.parametrize("exc", [RuntimeError("boom"), KeyError("k"), InternalError("ended without a scorecard")])
def test_a_bug_exits_1_with_its_traceback(monkeypatch: pytest.MonkeyPatch, exc: Exception) -> None:
    result = invoke_raising(monkeypatch, exc)
    output = result.output
    assert result.exit_code == exit_codes.FAILURE, output
    assert "Traceback (most recent call last)" in output
    assert "in boom" in output  # the frame that raised
    assert f"internal error: {type(exc).__name__}" in output


def test_debug_shows_the_traceback_of_an_expected_error(monkeypatch: pytest.MonkeyPatch) -> None:
    quiet = invoke_raising(monkeypatch, BadInput("--durability 'never': use sync, async or exit"))
    assert quiet.exit_code == exit_codes.BAD_INPUT and "Traceback" not in quiet.output
    loud = invoke_raising(monkeypatch, BadInput("--durability 'never': use sync, async or exit"), "--debug")
    output = loud.output
    assert loud.exit_code == exit_codes.BAD_INPUT
    assert "Traceback (most recent call last)" in output and "in boom" in output
    assert output.rstrip().endswith("error: --durability 'never': use sync, async or exit")


def test_debug_shows_tracebacks_of_problems_reported_along_the_way(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("title: [\n", encoding="utf-8")
    quiet = runner.invoke(app, ["scenario", "validate", str(bad)])
    assert quiet.exit_code == exit_codes.BAD_INPUT and "Traceback" not in quiet.output
    loud = runner.invoke(app, ["--debug", "scenario", "validate", str(bad)])
    assert loud.exit_code == exit_codes.BAD_INPUT and "Traceback" in loud.output


def test_a_taken_negotiation_id_is_a_conflict(tmp_path: Path) -> None:
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "transcript.jsonl").write_text('{"seq":0}\n', encoding="utf-8")  # (an empty one is reused)
    result = runner.invoke(app, ["run", "platform_material", "--id", "taken", "--out", str(tmp_path), "-q"])
    assert result.exit_code == exit_codes.CONFLICT, result.output
    assert "already exists" in result.output and "Traceback" not in result.output


def test_usage_errors_stay_click_s() -> None:
    result = runner.invoke(app, ["run"])
    assert result.exit_code == 2 and "Missing argument" in result.output


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output == f"pactlab {pactlab.__version__}\n"


def test_shell_completion_is_offered() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    assert "--install-completion" in result.output and "--show-completion" in result.output
    assert "--debug" in result.output and "--version" in result.output


def test_exit_codes_follow_the_nearest_class() -> None:
    assert exit_code(AuditCorrupt("x")) == exit_codes.TAMPERED
    assert exit_code(AuditConflict("x", seq=1, key="k")) == exit_codes.CONFLICT
    assert exit_code(AuditWriteError(Path("t"), "full")) == exit_codes.FAILURE
    assert exit_code(WaitingForPerson("waits")) == exit_codes.NOT_FOUND
    assert exit_code(NoAgreement("impasse")) == exit_codes.BAD_INPUT  # `pactlab termsheet` makes it 3 itself
    assert exit_code(ValueError("a bug")) == exit_codes.FAILURE


def test_builtin_bases_are_kept_for_callers_that_catch_them() -> None:
    assert issubclass(FileError, ValueError) and issubclass(NegotiationNotFound, LookupError)
    assert issubclass(NegotiationFinished, RuntimeError) and issubclass(AuditError, PactlabError)


def _project_modules() -> list[str]:
    names = []
    for top in PACKAGES:
        package = importlib.import_module(top)
        names.append(top)
        for info in pkgutil.walk_packages(package.__path__, f"{top}."):
            if info.name.rsplit(".", 1)[-1] != "__main__":
                names.append(info.name)
    return names


def test_every_exception_class_derives_from_pactlab_error_and_is_in_the_tree() -> None:
    """Walks every module of the project: each exception class it defines has the one root."""
    tree = pactlab.errors.__doc__ or ""
    found = []
    for name in _project_modules():
        module = importlib.import_module(name)
        for cls_name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, BaseException) and cls.__module__ == name:
                found.append(cls)
                assert issubclass(cls, PactlabError), f"{name}.{cls_name} does not derive from PactlabError"
                assert cls_name in tree, f"{name}.{cls_name} is missing from the tree in pactlab.errors"
    assert len(found) >= 30  # the project's own classes were found, not none


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1]\n"
            + "".join(
                f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
                for p, c in zip("abcdefgh", "bcdefghi", strict=True)
            ),
            "too large once its aliases are expanded",
        ),
        ("x: " + "[" * 200 + "]" * 200 + "\n", "nested too deeply"),
        ("x: !!python/object/apply:os.system ['true']\n", "is not allowed"),
        ("? [1, 2]\n: x\n", "a key must be a plain value"),
    ],
    ids=["alias-bomb", "deep-nesting", "python-tag", "list-as-key"],
)
def test_hostile_yaml_is_refused_at_its_line_by_the_loader(tmp_path: Path, text: str, expected: str) -> None:
    """What the safe loader would build without bound, or fail on with a traceback, is bad input (exit 2)."""
    path = tmp_path / "hostile.yaml"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(app, ["scenario", "validate", str(path)])
    assert result.exit_code == 2, result.output
    assert expected in result.output and str(path) in result.output.replace("\n", "")
    assert "Traceback" not in result.output


def test_a_file_that_is_not_utf8_is_bad_input(tmp_path: Path) -> None:
    path = tmp_path / "utf16.yaml"
    path.write_text("id: x\n", encoding="utf-16")
    result = CliRunner().invoke(app, ["scenario", "validate", str(path)])
    assert result.exit_code == 2 and "not UTF-8 text" in result.output

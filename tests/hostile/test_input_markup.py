"""User text in error messages prints literally: Rich markup, emoji codes and regexes are not interpreted.

Once ``[/b]`` in a message raised Rich's MarkupError, a regex ``'^[a-z]*$'`` showed as ``'^*$'``
and ``:100:`` became an emoji.
"""

from __future__ import annotations

from pathlib import Path

from tests.hostile.inputs import assert_bad_input, edited, pactlab

HOSTILE_TEXT = "x[/b] [bold]y[/bold] :100: ^[a-z]*$"


def test_an_unknown_field_prints_literally(tmp_path: Path) -> None:
    (tmp_path / "markup.yaml").write_text(
        edited("id: two_party_fixture", f"id: two_party_fixture\n'{HOSTILE_TEXT}': 1")
    )
    stderr = assert_bad_input(pactlab("scenario", "validate", "markup.yaml", cwd=tmp_path), "markup.yaml")
    assert HOSTILE_TEXT in stderr
    assert "💯" not in stderr


def test_a_file_name_with_markup_prints_literally(tmp_path: Path) -> None:
    name = "odd[b]x[bold]:100:[a-z]*.yaml"  # no slash in a file name
    (tmp_path / name).write_text(edited("max_rounds: 20\n", "max_rounds: many\n"))
    stderr = assert_bad_input(pactlab("scenario", "validate", name, cwd=tmp_path), name)
    assert "protocol.max_rounds" in stderr and "💯" not in stderr


def test_an_option_with_markup_prints_literally(tmp_path: Path) -> None:
    (tmp_path / "scenario.yaml").write_text(edited("id: two_party_fixture", "id: two_party_fixture"))
    result = pactlab("run", "scenario.yaml", "--policies", HOSTILE_TEXT, "--out", tmp_path / "out", cwd=tmp_path)
    output = result.stdout + result.stderr
    assert "Traceback" not in output and result.returncode in (2, 4), output
    assert HOSTILE_TEXT in result.stderr and "💯" not in result.stderr

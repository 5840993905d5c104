"""Every user error of the catalog commands ends as ONE line on stderr, exit status 2, no traceback.

Table-driven: each case builds its input in a temporary folder, runs `kodistill` in-process through
`orchestration.cli.main` (which returns the status, usage errors included), and checks the exit
status, that stderr is one line of the form `kodistill <command>: error: …`, and that the line names
what is wrong. One case also runs as a real subprocess, so the console script's behaviour (no
traceback) is covered end to end.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from orchestration.cli import main
from tests.catalog.conftest import HEADER, SMALL_ROWS

ROOT = Path(__file__).resolve().parents[1]
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def _csv(tmp: Path, text: str, name: str = "products.csv") -> Path:
    path = tmp / name
    path.write_text(text, encoding="utf-8")
    return path


def _valid(tmp: Path) -> Path:
    return _csv(tmp, "\n".join([HEADER, *SMALL_ROWS]) + "\n")


def _fifo(tmp: Path) -> Path:
    path = tmp / "pipe.csv"
    os.mkfifo(path)
    return path


def _unreadable(tmp: Path) -> Path:
    path = _valid(tmp)
    path.chmod(0)
    return path


@pytest.fixture
def deny_reading_when_root(monkeypatch: pytest.MonkeyPatch) -> None:
    """chmod 000 does not stop root, so as root opening a chmod-000 file raises what it would for a user."""
    if not IS_ROOT:
        return
    real_open = Path.open

    def guarded_open(self: Path, *args, **kwargs):
        if self.exists() and self.stat().st_mode & 0o777 == 0:
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", guarded_open)


def _answer_inputs(tmp: Path) -> list[str]:
    corpus, queries = tmp / "corpus.jsonl", tmp / "queries.jsonl"
    corpus.write_text(json.dumps({"id": "c1", "text": "서울은 대한민국의 수도이다."}, ensure_ascii=False) + "\n")
    queries.write_text(json.dumps({"id": "q1", "query": "대한민국의 수도는?"}, ensure_ascii=False) + "\n")
    (tmp / "out_dir").mkdir()
    return ["answer", "--corpus", str(corpus), "--queries", str(queries), "--out", str(tmp / "out_dir")]


@dataclass(frozen=True)
class Case:
    name: str
    argv: Callable[[Path], list[str]]  # built in the test's temporary folder
    expected: str  # a fragment the single error line must contain


def _bullets(make: Callable[[Path], Path], *extra: str) -> Callable[[Path], list[str]]:
    return lambda tmp: ["bullets", "--products", str(make(tmp)), *extra]


def _generate(*extra: str) -> Callable[[Path], list[str]]:
    return lambda tmp: ["generate-products", "--out", str(tmp / "p.csv"), *extra]


SHORT = SMALL_ROWS[1].rsplit(",", 1)[0]  # one field missing
CASES = [
    Case("header only", _bullets(lambda t: _csv(t, HEADER + "\n")), "no data rows (only a header)"),
    Case("empty file", _bullets(lambda t: _csv(t, "")), "file is empty"),
    Case(
        "tab separated",
        _bullets(lambda t: _csv(t, HEADER.replace(",", "\t") + "\n" + SMALL_ROWS[0].replace(",", "\t") + "\n")),
        "line 1: expected comma-separated columns, found tab separators",
    ),
    Case(
        "semicolon separated",
        _bullets(lambda t: _csv(t, HEADER.replace(",", ";") + "\n")),
        "line 1: expected comma-separated columns, found semicolon separators",
    ),
    Case(
        "short row",
        _bullets(lambda t: _csv(t, "\n".join([HEADER, SMALL_ROWS[0], SHORT, SMALL_ROWS[2]]) + "\n")),
        "line 3: expected 14 comma-separated fields, found 13",
    ),
    Case(
        "short row after a quoted newline",
        _bullets(
            lambda t: _csv(
                t, "\n".join([HEADER, SMALL_ROWS[0].replace("려 샴푸 500ml", '"려 샴푸\n500ml"'), SHORT]) + "\n"
            )
        ),
        "line 4: expected 14 comma-separated fields, found 13",
    ),
    Case(
        "unclosed quote",
        _bullets(lambda t: _csv(t, "\n".join([HEADER, SMALL_ROWS[0], 'P9,"샴푸,x', SMALL_ROWS[2]]) + "\n")),
        "line 3: a quoted field opened here is never closed",
    ),
    Case("missing file", lambda t: ["bullets", "--products", str(t / "nope.csv")], "nope.csv: file not found"),
    Case("directory as the CSV", lambda t: ["bullets", "--products", str(t)], "is a directory"),
    Case("FIFO as the CSV", _bullets(_fifo), "is not a regular file"),
    Case("binary file", _bullets(lambda t: _csv(t, "a,b\x00c\n")), "contains NUL bytes"),
    Case("unreadable file", _bullets(_unreadable), "cannot be read (Permission denied)"),
    Case(
        "every row invalid",
        _bullets(lambda t: _csv(t, HEADER + "\nB1,샴푸,x,려,만원,,,,0,,,,,\n"), "--max-quarantine-ratio", "1"),
        "1 of 1 rows invalid",
    ),
    Case(
        "huge price quarantined beyond the bound",
        _bullets(lambda t: _csv(t, "\n".join([HEADER, SMALL_ROWS[0].replace("10000", "99999999999999999999999", 1)]))),
        "price '99999999999999999999999' is out of range",
    ),
    Case("bullets --out is a directory", lambda t: [*_bullets(_valid)(t), "--out", str(t)], "--out"),
    Case("generate-products --out is a directory", lambda t: ["generate-products", "--out", str(t)], "is a directory"),
    Case("answer --out is a directory", _answer_inputs, "--out"),
    Case("negative quarantine ratio", _bullets(_valid, "--max-quarantine-ratio", "-1"), "--max-quarantine-ratio"),
    Case("quarantine ratio above 1", _bullets(_valid, "--max-quarantine-ratio", "1.5"), "between 0 and 1"),
    Case("quarantine ratio not a number", _bullets(_valid, "--max-quarantine-ratio", "x"), "between 0 and 1"),
    Case("negative seed", _generate("--seed", "-1"), "argument --seed: must not be negative, got -1"),
    Case("zero rows", _generate("--rows", "0"), "argument --rows: must be at least 1, got 0"),
    Case("rows not a number", _generate("--rows", "1e3"), "argument --rows: expected a whole number, got '1e3'"),
]


def _run(argv: list[str]) -> int:
    try:
        return main(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
@pytest.mark.usefixtures("deny_reading_when_root")
def test_user_error_is_one_line_and_exit_2(case: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = case.argv(tmp_path)
    status = _run(argv)
    err = capsys.readouterr().err
    error_lines = [line for line in err.splitlines() if "warning:" not in line]
    assert status == 2, err
    assert len(error_lines) == 1, err
    assert error_lines[0].startswith(f"kodistill {argv[0]}: error: "), err
    assert case.expected in error_lines[0], err
    assert "Traceback" not in err


def test_console_script_prints_no_traceback(tmp_path: Path) -> None:
    path = _csv(tmp_path, HEADER + "\n")
    done = subprocess.run(
        [sys.executable, "-m", "orchestration.cli", "bullets", "--products", str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [f"kodistill bullets: error: {path}: no data rows (only a header)"]


def test_header_with_spaces_after_commas_is_read(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _csv(tmp_path, "\n".join([HEADER.replace(",", ", "), *SMALL_ROWS]) + "\n")
    out = tmp_path / "bullets.json"
    assert main(["bullets", "--products", str(path), "--out", str(out)]) == 0
    assert json.loads(out.read_text(encoding="utf-8"))["count"] == 2

"""`kodistill bullets --model`: a model folder writes (here: fails to write) the bullets from prompts that end
with the prefilled answer start, numbers copied unless --no-copy-from-prompt; per-category fallback reported on
stderr, after the default four attempts (greedy, then three seeded samples); no champion → templated with a
warning; an unknown path → exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from orchestration.cli import main
from tests.student_assets import fake_student


def test_model_folder_no_champion_and_bad_path(
    small_products_csv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_student.install(monkeypatch)
    model = tmp_path / "model"
    model.mkdir()
    (model / "fake.json").write_text(json.dumps({"mode": "first_sentence"}), encoding="utf-8")
    out = tmp_path / "bullets.json"
    assert main(["bullets", "--products", str(small_products_csv), "--model", str(model), "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert f"model {model} wrote 0/2 categories: none" in err and "template fallback for 샴푸" in err
    items = json.loads(out.read_text(encoding="utf-8"))["items"]
    assert {item["generatedBy"] for item in items} == {"template"}
    assert all("fallbackReason" in item["basis"] for item in items)
    greedy, *retries = fake_student.StudentGenerator.calls[-4:]
    assert greedy["sampling"] is None and [r["sampling"].seed for r in retries] == [1, 2, 3]  # --attempts 4
    call = retries[-1]
    assert call["copy_from_prompt"] is True and call["last_roles"] == ["assistant"] * 2
    assert all(phrases for phrases in call["phrases"])  # each prompt's names and readings are listed for copying
    argv = ["bullets", "--products", str(small_products_csv), "--model", str(model), "--no-copy-from-prompt"]
    assert main(argv) == 0 and fake_student.StudentGenerator.calls[-1]["copy_from_prompt"] is False
    assert fake_student.StudentGenerator.calls[-1]["phrases"] is None
    capsys.readouterr()

    assert main(["bullets", "--products", str(small_products_csv), "--model", "champion"]) == 0
    assert "no MLflow store at" in capsys.readouterr().err

    assert main(["bullets", "--products", str(small_products_csv), "--model", str(tmp_path / "missing")]) == 2
    assert "--model" in capsys.readouterr().err

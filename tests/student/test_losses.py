"""Token-level distillation losses on a tiny teacher/student pair: GKD (TRL's generalized JSD) and DistiLLM-2."""

from __future__ import annotations

from pathlib import Path

import pytest

from resources.student.losses import distillm2_loss, gkd_loss, skew_kl, target_cross_entropy
from resources.student.training import train_student
from tests.student.conftest import PRETRAIN_TEXTS, tiny_config


def _logits(seed: int, shape: tuple[int, int, int] = (2, 6, 11)):
    import torch

    return torch.randn(shape, generator=torch.Generator().manual_seed(seed)) * 2


def _labels():
    import torch

    return torch.tensor([[-100, -100, 3, 4, 5, 6], [-100, 1, 2, 3, -100, -100]])


def test_gkd_loss_is_zero_for_the_teacher_itself_and_falls_under_gradient_descent() -> None:
    import torch

    teacher = _logits(1)
    assert float(gkd_loss(teacher.clone(), teacher, _labels())) == pytest.approx(0.0, abs=1e-6)
    student = _logits(2).requires_grad_(True)
    optimizer = torch.optim.Adam([student], lr=0.2)
    before = float(gkd_loss(student, teacher, _labels()).detach())
    for _ in range(20):
        loss = gkd_loss(student, teacher, _labels())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    assert before > 0 and float(gkd_loss(student, teacher, _labels()).detach()) < before / 2


def test_skew_kl_masks_untargeted_positions() -> None:
    p, q = _logits(3), _logits(4)
    changed = q.clone()
    changed[0, 0] += 100  # position 0 predicts label position 1, which is -100 in row 0
    assert float(skew_kl(p, q, _labels(), 0.1)) == pytest.approx(float(skew_kl(p, changed, _labels(), 0.1)))


def test_distillm2_raises_teacher_responses_and_lowers_the_students_own() -> None:
    import torch

    labels = torch.tensor([[-100, 3, 4, 5]])
    teacher_on_teacher = torch.zeros(1, 4, 8)
    teacher_on_teacher[0, :3, [3, 4, 5]] = 6.0  # the teacher is sure of its own response 3 4 5
    student_on_teacher = torch.zeros(1, 4, 8, requires_grad=True)
    own = torch.tensor([[-100, 7, 7, 7]])  # the student's own response, which the teacher finds unlikely
    student_on_student = torch.zeros(1, 4, 8)
    student_on_student[0, :3, 7] = 4.0
    student_on_student.requires_grad_(True)
    teacher_on_student = torch.zeros(1, 4, 8)
    loss = distillm2_loss(student_on_teacher, teacher_on_teacher, labels, student_on_student, teacher_on_student, own)
    loss.backward()
    assert torch.isfinite(loss) and float(loss) > 0
    # descending the gradient raises the teacher tokens' logits and lowers the student's own token's logit
    assert all(float(student_on_teacher.grad[0, i, t]) < 0 for i, t in enumerate([3, 4, 5]))
    assert all(float(student_on_student.grad[0, i, 7]) > 0 for i in range(3))


@pytest.mark.parametrize("mode", ["gkd", "distillm2"])
def test_distillation_runs_against_a_teacher_sharing_the_tokenizer(
    mode: str, tiny_hf_dir: Path, tmp_path: Path, examples: list
) -> None:
    config = tiny_config(distillation=mode, teacher_path=str(tiny_hf_dir), pretrain_steps=0, sft_steps=6, seed=1)
    result = train_student(examples, examples[:2], PRETRAIN_TEXTS, config, tmp_path)
    assert result.steps == 6 and all(value == value and value > 0 for value in result.train_losses)
    assert sum(result.train_losses[-2:]) < sum(result.train_losses[:2])
    from resources.student.modelling import load_tokenizer

    student_vocab = load_tokenizer(result.model_dir).get_vocab()
    assert student_vocab == load_tokenizer(tiny_hf_dir).get_vocab()


def _padded_batch(tokenizer, examples: list, side: str) -> dict:
    import torch

    from resources.student.encoding import collate, encode_examples

    encoded, _ = encode_examples(tokenizer, examples[:5], 96)
    batch = collate(encoded, tokenizer.pad_token_id)  # right-padded, rows of different lengths
    if side == "left":
        lengths = batch["attention_mask"].sum(dim=1)
        for key in batch:
            batch[key] = torch.stack([row.roll(int(row.shape[0] - n)) for row, n in zip(batch[key], lengths)])
    return batch


def _reference_loss(model, batch: dict):
    import torch.nn.functional as F

    logits = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits[:, :-1]
    return F.cross_entropy(logits.float().transpose(1, 2), batch["labels"][:, 1:], ignore_index=-100)


@pytest.mark.parametrize("wrap", ["builtin", "lora"])
def test_target_cross_entropy_takes_the_fast_path_and_equals_the_models_own_loss(
    tiny_hf_dir: Path, examples: list, monkeypatch: pytest.MonkeyPatch, wrap: str
) -> None:
    import torch

    from resources.student.modelling import load_tokenizer, student_model

    config = tiny_config(base=str(tiny_hf_dir), method="lora" if wrap == "lora" else "full")
    tokenizer = load_tokenizer(tiny_hf_dir)
    model = student_model(config, tokenizer, "cpu").eval()
    batch = _padded_batch(tokenizer, examples, "right")
    assert int(batch["attention_mask"].sum()) < batch["attention_mask"].numel()  # some rows are padded
    with torch.no_grad():
        expected = _reference_loss(model, batch)
        assert float(model(**batch).loss) == pytest.approx(float(expected), rel=1e-5)
        monkeypatch.setattr(type(model), "forward", lambda *a, **k: pytest.fail("fast path expected"))
        mean = target_cross_entropy(model, batch)
        total = target_cross_entropy(model, batch, reduction="sum")
    targets = int((batch["labels"][:, 1:] != -100).sum())
    assert float(mean) == pytest.approx(float(expected), rel=1e-5)
    assert float(total) == pytest.approx(float(expected) * targets, rel=1e-5)


def test_target_cross_entropy_of_a_left_padded_batch_uses_the_attention_mask(tiny_hf_dir: Path, examples: list) -> None:
    import torch

    from resources.student.modelling import load_tokenizer, student_model

    tokenizer = load_tokenizer(tiny_hf_dir)
    model = student_model(tiny_config(base=str(tiny_hf_dir), method="full"), tokenizer, "cpu").eval()
    left = _padded_batch(tokenizer, examples, "left")
    right = _padded_batch(tokenizer, examples, "right")
    with torch.no_grad():
        expected = _reference_loss(model, left)
        assert float(target_cross_entropy(model, left)) == pytest.approx(float(expected), rel=1e-5)
        assert float(target_cross_entropy(model, right)) == pytest.approx(float(expected), rel=1e-4)

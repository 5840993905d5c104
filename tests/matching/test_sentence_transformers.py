"""A local sentence-transformers model as the semantic stage, and fine-tuning it on selections (tiny model from a
config: no download)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from resources.feedback.records import SelectionLog
from resources.matching.finetune import fine_tune, training_examples
from resources.matching.matcher import ItemMatcher
from resources.matching.semantic import SentenceTransformerEmbedder
from resources.matching.store import load_matcher, save_matcher
from tests.knowledge.test_embedders import build_tiny_sentence_transformer


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory, items) -> Path:
    texts = [i.name for i in items] + [i.name_en for i in items] + ["사장님 픽", "하우스 레드", "ㄹㅊ 말보로"]
    return build_tiny_sentence_transformer(tmp_path_factory.mktemp("st"), texts)


def test_sentence_transformer_semantic_stage_and_saved_index(tmp_path: Path, tiny_model: Path, items) -> None:
    subset = items[:60]
    matcher = ItemMatcher.build(subset, embedder=SentenceTransformerEmbedder(tiny_model))
    assert matcher.semantic.rows.shape == (120, 32)
    result = matcher.match(subset[3].name, mode="semantic")
    assert result.stage == "semantic" and result.results[0].item_no == subset[3].item_no  # identical text
    save_matcher(matcher, tmp_path / "index")
    loaded = load_matcher(tmp_path / "index")
    np.testing.assert_allclose(loaded.semantic.rows, matcher.semantic.rows)
    again = loaded.match(subset[3].name, mode="semantic")
    assert [c.item_no for c in again.results] == [c.item_no for c in result.results]


@pytest.mark.slow
def test_fine_tuning_on_selections_pulls_lines_to_their_items(tmp_path: Path, tiny_model: Path, items) -> None:
    from sentence_transformers import SentenceTransformer

    chosen = items[:8]
    selections = [
        SelectionLog(f"단골 {k}호 와인 6병", item.item_no, "01025", rejected_item_nos=(items[20 + k].item_no,))
        for k, item in enumerate(chosen)
    ]
    examples = training_examples(selections, items)
    assert examples[0].query == "단골 0호 와인" and examples[0].negatives == (items[20].name,)

    def margin(model_dir: Path) -> float:
        model = SentenceTransformer(str(model_dir), device="cpu")
        q = model.encode([e.query for e in examples], normalize_embeddings=True)
        p = model.encode([e.positive for e in examples], normalize_embeddings=True)
        n = model.encode([e.negatives[0] for e in examples], normalize_embeddings=True)
        return float(np.mean(np.sum(q * p, axis=1) - np.sum(q * n, axis=1)))

    out = tmp_path / "tuned"
    losses = fine_tune(tiny_model, examples, out, epochs=25, batch_size=8, learning_rate=1e-3)
    assert losses[-1] < losses[0] * 0.5
    assert margin(out) > margin(tiny_model) + 0.1
    with pytest.raises(ValueError, match="at least 2"):
        fine_tune(tiny_model, examples[:1], tmp_path / "x")

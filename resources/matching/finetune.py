"""Fine-tuning a sentence-transformers matcher model on selections (contrastive, in-batch and rejected negatives).

`training_examples(selections, items)` turns the selection log into (order line without quantity,
chosen item's name, rejected items' names). `fine_tune(model_path, examples, output_dir, ...)`
trains with a multiple-negatives ranking loss: each line must be closer (cosine × `scale`) to its
chosen item than to every other chosen item in the batch (in-batch negatives) and than to the items
rejected for any line of the batch (hard negatives). The model is written to a fresh sibling folder
and swapped into `output_dir`; the losses per epoch are returned. Torch and sentence-transformers
are imported inside the functions.
"""

from __future__ import annotations

import os
import random
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from resources.feedback.records import SelectionLog
from resources.matching.items import Item
from resources.matching.normalize import parse_quantity


@dataclass(frozen=True)
class TrainingExample:
    """One selection as a contrastive example."""

    query: str
    positive: str
    negatives: tuple[str, ...]


def training_examples(selections: Sequence[SelectionLog], items: Sequence[Item]) -> list[TrainingExample]:
    """Selections whose chosen item is in the master, as (line, chosen name, rejected names)."""
    names = {item.item_no: item.name for item in items}
    return [
        TrainingExample(
            parse_quantity(s.raw_input)[0],
            names[s.selected_item_no],
            tuple(names[n] for n in s.rejected_item_nos if n in names),
        )
        for s in selections
        if s.selected_item_no in names
    ]


def _batch_loss(model: object, batch: Sequence[TrainingExample], scale: float) -> object:
    import torch
    import torch.nn.functional as F

    def embed(texts: list[str]) -> torch.Tensor:
        prepare = getattr(model, "preprocess", None) or model.tokenize  # `tokenize` before sentence-transformers 6
        features = {k: v.to(model.device) if hasattr(v, "to") else v for k, v in prepare(texts).items()}
        return F.normalize(model(features)["sentence_embedding"], dim=-1)

    anchors = embed([e.query for e in batch])
    candidates = [e.positive for e in batch] + [n for e in batch for n in e.negatives]
    scores = anchors @ embed(candidates).T * scale
    return F.cross_entropy(scores, torch.arange(len(batch), device=scores.device))


def fine_tune(
    model_path: str | Path,
    examples: Sequence[TrainingExample],
    output_dir: str | Path,
    epochs: int = 3,
    batch_size: int = 16,
    learning_rate: float = 2e-5,
    scale: float = 20.0,
    seed: int = 0,
) -> list[float]:
    """Train on the examples and save the model into `output_dir` (swapped in whole); mean loss per epoch."""
    import torch
    from sentence_transformers import SentenceTransformer

    if len(examples) < 2:
        raise ValueError(f"fine-tuning needs at least 2 selections (in-batch negatives), got {len(examples)}")
    torch.manual_seed(seed)
    rng = random.Random(seed)
    model = SentenceTransformer(str(model_path), device="cpu")
    model.train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=learning_rate)
    losses = []
    for _ in range(epochs):
        order = rng.sample(list(examples), len(examples))
        epoch = []
        for start in range(0, len(order), batch_size):
            batch = order[start : start + batch_size]
            if len(batch) < 2:
                continue
            loss = _batch_loss(model, batch, scale)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            epoch.append(float(loss.detach()))
        losses.append(sum(epoch) / len(epoch))
    _save_swapped(model, Path(output_dir))
    return losses


def _save_swapped(model: object, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        model.save(str(staging))
        backup = None
        if target.exists():
            backup = target.with_name(f".{target.name}.old-{os.getpid()}")
            os.replace(target, backup)
        os.replace(staging, target)
        if backup is not None:
            shutil.rmtree(backup, ignore_errors=True)
    finally:
        shutil.rmtree(staging, ignore_errors=True)

"""The champion gate: promote a candidate only when it clearly beats the current champion.

`decide_promotion(candidate, champion, margin, floor)` is pure: with no champion the candidate is
promoted when its score reaches the absolute `floor`; with one, when its score is at least
`champion × (1 + margin)` (margin 0.05 = 5% better) and also reaches the floor. `Decision` says
what happened and why; `champion_model` records it and the blocking check re-verifies it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Decision:
    """Outcome of the gate: promote or not, both scores, the score required, and why."""

    promote: bool
    candidate_score: float
    champion_score: float | None
    required_score: float
    reason: str

    def as_dict(self) -> dict:
        return asdict(self)


def required_score(champion_score: float | None, margin: float, floor: float) -> float:
    """The score a candidate must reach: the floor, and `champion × (1 + margin)` when there is a champion."""
    if champion_score is None:
        return floor
    return max(floor, champion_score * (1.0 + margin))


def decide_promotion(candidate_score: float, champion_score: float | None, margin: float, floor: float) -> Decision:
    """Promote when the candidate reaches `required_score` (a tie with the requirement promotes)."""
    if margin < 0:
        raise ValueError(f"margin must be >= 0, got {margin}")
    needed = required_score(champion_score, margin, floor)
    promote = candidate_score >= needed and candidate_score == candidate_score  # NaN never promotes
    if champion_score is None:
        verdict = "reaches" if promote else "is below"
        reason = f"no champion yet: candidate {candidate_score:.4f} {verdict} the floor {floor:.4f}"
    else:
        verdict = "beats" if promote else "does not beat"
        reason = (
            f"candidate {candidate_score:.4f} {verdict} champion {champion_score:.4f} by the {margin:.0%} margin "
            f"(needs {needed:.4f})"
        )
    return Decision(promote, candidate_score, champion_score, needed, reason)

"""The chat format every student task shares: a list of role/content messages, the last one the target.

`ChatExample` is what `assets/distillation/sft_tasks.py` builds and `resources/student/training.py` trains
on. `messages` ends with the assistant target; `task` is "qa", "bullets" or "feedback". The optional
`example_id` (question id, "<seed>:<category>", feedback id) lets evaluation join back to references, and
`group` is the split unit (source document, generator seed, feedback id): examples of one group always land
in the same split.
"""

from __future__ import annotations

from typing import NotRequired, TypedDict

Message = dict[str, str]  # {"role": "system"|"user"|"assistant", "content": str}
TASKS: tuple[str, ...] = ("qa", "bullets", "feedback")
ROLES: frozenset[str] = frozenset({"system", "user", "assistant"})


class ChatExample(TypedDict):
    """One supervised example: the conversation whose last message is the assistant target."""

    messages: list[Message]
    task: str
    example_id: NotRequired[str]
    group: NotRequired[str]


def prompt_messages(example: ChatExample) -> list[Message]:
    """The conversation up to (not including) the assistant target: what generation is given."""
    return list(example["messages"][:-1])


def target_text(example: ChatExample) -> str:
    """The assistant target of an example."""
    return example["messages"][-1]["content"]


def example_problems(example: ChatExample) -> list[str]:
    """Shape problems of one example (empty list = valid): roles, a final non-empty assistant turn, a known task."""
    messages = example.get("messages") or []
    problems = []
    if example.get("task") not in TASKS:
        problems.append(f"task must be one of {TASKS}, got {example.get('task')!r}")
    if len(messages) < 2:
        problems.append(f"needs at least a user and an assistant message, got {len(messages)}")
    for index, message in enumerate(messages):
        if message.get("role") not in ROLES:
            problems.append(f"message {index} has role {message.get('role')!r}")
        if not isinstance(message.get("content"), str):
            problems.append(f"message {index} content is not a string")
    if messages and (messages[-1].get("role") != "assistant" or not str(messages[-1].get("content", "")).strip()):
        problems.append("the last message must be a non-empty assistant target")
    return problems

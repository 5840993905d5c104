"""Robust JSON parsing of model output on nasty cases, and the JSON-mode retry/fallback loop."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from resources.llm.base import GenerationParams, GenerationRequest, Message
from resources.llm.json_output import generate_json, iter_json_candidates, parse_json_object


def bullets_check(obj: dict[str, Any]) -> bool:
    """The report-bullets shape: a real category and a non-empty list of strings."""
    bullets = obj["summaryBullets"]
    return (
        obj["category"] != "<카테고리>"
        and isinstance(bullets, list)
        and bool(bullets)
        and all(isinstance(b, str) for b in bullets)
    )


def test_prompt_echo_and_two_objects_take_the_first_valid():
    text = (
        '다음 형식으로 답하세요: {"category": "<카테고리>", "summaryBullets": ["..."]}\n'
        '답변: {"category": "노트북", "summaryBullets": ["리뷰 분포 기준 평점은 4.5점입니다."]}\n'
        '{"category": "모니터", "summaryBullets": ["두 번째"]}'
    )
    assert parse_json_object(text, bullets_check) == {
        "category": "노트북",
        "summaryBullets": ["리뷰 분포 기준 평점은 4.5점입니다."],
    }


def test_code_fences_trailing_commas_and_smart_quotes():
    fenced = '```json\n{"category": "노트북", "summaryBullets": ["a", "b",],}\n```'
    assert parse_json_object(fenced, bullets_check) == {"category": "노트북", "summaryBullets": ["a", "b"]}
    smart = "{“category”: “키보드”, “summaryBullets”: [“가격은 {중간}입니다”]}"
    assert parse_json_object(smart, bullets_check) == {"category": "키보드", "summaryBullets": ["가격은 {중간}입니다"]}


def test_braces_and_escaped_quotes_inside_strings_do_not_confuse_the_scan():
    text = 'x {"a": "닫는 } 괄호와 \\"따옴표\\"", "b": 1} y'
    assert parse_json_object(text) == {"a": '닫는 } 괄호와 "따옴표"', "b": 1}
    assert list(iter_json_candidates('{"a": {"b": 1}}')) == ['{"a": {"b": 1}}', '{"b": 1}']


def test_python_style_dict_is_accepted():
    assert parse_json_object("{'category': '마우스', 'summaryBullets': ['x']}", bullets_check)["category"] == "마우스"


@pytest.mark.parametrize(
    "text",
    [
        '{"category": "노트북", "summaryBullets": ["잘린',
        "summaryBullets: 없음",
        "",
        '{"category": "노트북", "summaryBullets": []}',
        "[1, 2, 3]",
    ],
)
def test_broken_or_invalid_json_gives_none(text):
    assert parse_json_object(text, bullets_check) is None


class _Scripted:
    """A backend answering from a script per call (one list of outputs per generate call)."""

    name = "scripted"

    def __init__(self, calls: list[list[str]]) -> None:
        self.calls = calls
        self.sizes: list[int] = []

    def generate(self, requests: Sequence[GenerationRequest], params: GenerationParams | None = None) -> list[str]:
        self.sizes.append(len(requests))
        return self.calls.pop(0)

    def format_chat(self, messages: Sequence[Message]) -> str:
        return ""


def test_generate_json_retries_only_failures_then_falls_back():
    requests = [GenerationRequest(({"role": "user", "content": str(i)},), request_id=str(i)) for i in range(3)]
    backend = _Scripted(
        [
            ['{"category": "a", "summaryBullets": ["x"]}', "쓰레기", "{broken"],
            ['{"category": "b", "summaryBullets": ["y"]}', "또 쓰레기"],
        ]
    )
    results = generate_json(
        backend, requests, check=bullets_check, retries=1, fallback=lambda r: {"fallback": r.request_id}
    )
    assert backend.sizes == [3, 2]
    assert [r.source for r in results] == ["model", "model", "fallback"]
    assert [r.attempts for r in results] == [1, 2, 2]
    assert results[1].value == {"category": "b", "summaryBullets": ["y"]}
    assert results[2].value == {"fallback": "2"} and results[2].raw == "또 쓰레기" and results[2].reason

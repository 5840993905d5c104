"""The matcher API with FastAPI's TestClient: the original's four examples, good and bad bodies, selections
recorded whole or not at all, and concurrent requests while a new index is swapped in."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from resources.matching.learning import learn_aliases, read_all
from resources.matching.matcher import ItemMatcher
from resources.matching.server import IndexHolder, create_app
from resources.matching.store import save_matcher
from tests.matching.conftest import number_of
from tests.matching.memory_log import MemorySelectionLog

MARLBOROUGH = "레이크 찰리스 말보로 소비뇽 블랑"


@pytest.fixture
def served(tmp_path: Path, matcher: ItemMatcher) -> tuple[TestClient, IndexHolder, MemorySelectionLog]:
    folder = tmp_path / "item_index"
    save_matcher(matcher, folder)
    holder = IndexHolder(folder, check_interval=0.0)
    log = MemorySelectionLog(fail_on="boom")
    return TestClient(create_app(holder, log), raise_server_exceptions=False), holder, log


@pytest.mark.parametrize(
    "query",
    [
        "레이크 찰리스 말보로 24병",
        "lc 말보로",
        "Lake Chalice 말보로",
        "Lake Chalice Marlborough",
        "레이크 찰리스 말로보",
    ],
)
def test_the_originals_four_examples(served, items, query: str) -> None:
    client, _, _ = served
    response = client.post("/api/ml-match", json={"query": query, "top_k": 3})
    assert response.status_code == 200
    body = response.json()
    assert body["results"][0]["item_no"] == number_of(items, MARLBOROUGH)
    assert body["results"][0]["name"] == MARLBOROUGH and body["stage"] in ("rule", "semantic")
    assert set(body["results"][0]) == {"item_no", "name", "score", "stage"} and len(body["results"]) == 3
    if query.endswith("24병"):
        assert body["quantity"] == {"amount": 24, "unit": "병", "text": "24병"}


def test_healthz(served, items) -> None:
    client, holder, _ = served
    body = client.get("/healthz").json()
    assert body["status"] == "ok" and body["items"] == len(items) and body["index_version"] == holder.version[:16]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "query"),
        ({"query": ""}, "query"),
        ({"query": "   "}, "query"),
        ({"query": 5}, "query"),
        ({"query": "lc", "top_k": 0}, "top_k"),
        ({"query": "lc", "min_score": 1.5}, "min_score"),
        ({"query": "lc", "colour": "red"}, "colour"),
    ],
)
def test_bad_match_body_is_422_naming_the_field(served, payload: dict, field: str) -> None:
    client, _, _ = served
    response = client.post("/api/ml-match", json=payload)
    assert response.status_code == 422
    assert any(field in error["loc"] for error in response.json()["detail"])


def test_auto_learn_records_a_selection(served, items) -> None:
    client, _, log = served
    selected, rejected = number_of(items, MARLBOROUGH), number_of(items, "레이크 찰리스 더 팔콘 샤르도네")
    body = {
        "raw_input": "lc 말보로 6병",
        "selected_item_no": selected,
        "client_code": "01025",
        "rejected_item_nos": [rejected],
        "rule_based_score": 0.65,
    }
    response = client.post("/api/auto-learn", json=body)
    assert response.status_code == 200 and response.json() == {"success": True, "id": 1}
    (row,) = log.rows
    assert (row.raw_input, row.selected_item_no, row.client_code, row.rejected_item_nos) == (
        "lc 말보로 6병",
        selected,
        "01025",
        (rejected,),
    )


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        ({"selected_item_no": "NOPE"}, "selected_item_no"),
        ({"rejected_item_nos": ["NOPE"]}, "rejected_item_nos"),
        ({"rejected_item_nos": "SELF"}, "rejected_item_nos"),
        ({"rule_based_score": 2.0}, "rule_based_score"),
        ({"raw_input": ""}, "raw_input"),
        ({"client_code": 7}, "client_code"),
        ({"extra": 1}, "extra"),
    ],
)
def test_bad_selection_is_422_and_nothing_is_stored(served, items, patch: dict, field: str) -> None:
    client, _, log = served
    selected = number_of(items, MARLBOROUGH)
    body = {"raw_input": "lc 말보로", "selected_item_no": selected, **patch}
    if body.get("rejected_item_nos") == "SELF":
        body["rejected_item_nos"] = [selected]
    response = client.post("/api/auto-learn", json=body)
    assert response.status_code == 422
    assert any(field in error["loc"] for error in response.json()["detail"])
    assert log.rows == []


def test_store_failure_stores_nothing(served, items) -> None:
    client, _, log = served
    response = client.post("/api/auto-learn", json={"raw_input": "boom", "selected_item_no": items[0].item_no})
    assert response.status_code == 500 and log.rows == []


def test_auto_learn_without_a_selection_log_is_503(tmp_path: Path, matcher, items) -> None:
    save_matcher(matcher, tmp_path / "index")
    client = TestClient(create_app(IndexHolder(tmp_path / "index")))
    response = client.post("/api/auto-learn", json={"raw_input": "x", "selected_item_no": items[0].item_no})
    assert response.status_code == 503


def test_concurrent_requests_during_an_index_reload(served, items, matcher) -> None:
    """Selections posted through the API teach a nickname; the rebuilt index is swapped in while 8 threads keep
    asking; every request succeeds, and after the swap the nickname is answered."""
    client, holder, log = served
    target = number_of(items, "발렌타인 17년")
    for _ in range(2):
        assert client.post(
            "/api/auto-learn", json={"raw_input": "사장님 위스키", "selected_item_no": target, "client_code": "01025"}
        ).is_success
    before = client.post("/api/ml-match", json={"query": "사장님 위스키", "client_code": "01025"}).json()
    assert before["stage"] != "alias"

    statuses: list[int] = []
    stop = threading.Event()

    def ask() -> None:
        while not stop.is_set():
            statuses.append(client.post("/api/ml-match", json={"query": "lc 말보로 2박스"}).status_code)

    with ThreadPoolExecutor(max_workers=8) as pool:
        for _ in range(8):
            pool.submit(ask)
        rebuilt = ItemMatcher.build(items, learn_aliases(read_all(log), items))
        rebuilt.calibration = matcher.calibration
        save_matcher(rebuilt, holder.folder)
        deadline = time.monotonic() + 60
        while holder.reloads == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.2)
        stop.set()
    assert holder.reloads == 1
    assert len(statuses) > 8 and set(statuses) == {200}
    after = client.post("/api/ml-match", json={"query": "사장님 위스키 3병", "client_code": "01025"}).json()
    assert after["stage"] == "alias" and after["results"][0]["item_no"] == target
    assert client.get("/healthz").json()["index_version"] == holder.version[:16]


def test_selections_land_in_the_feedback_store_and_teach_the_matcher(tmp_path: Path, matcher, items) -> None:
    """The real FeedbackStore (SQLite) behind /api/auto-learn; learned_aliases reads it back by id."""
    from resources.feedback.store import FeedbackStore

    store = FeedbackStore(f"sqlite:///{tmp_path / 'feedback.db'}")
    save_matcher(matcher, tmp_path / "index")
    client = TestClient(create_app(IndexHolder(tmp_path / "index"), store))
    target = number_of(items, "윈저 12년")
    for _ in range(2):
        body = {"raw_input": "룸 기본 양주 2병", "selected_item_no": target, "client_code": "02117"}
        assert client.post("/api/auto-learn", json=body).json()["success"]
    stored = read_all(store)
    assert [s.id for s in stored] == [1, 2] and stored[0].client_code == "02117"
    learned = learn_aliases(stored, items)
    assert learned.client_phrase_items == {"02117": {"룸기본양주": target}}

"""Learning from a selection log: token mappings, phrase aliases (global and per client), priors, hard negatives."""

from __future__ import annotations

from resources.feedback.records import SelectionLog
from resources.matching.learning import learn_aliases, read_all
from resources.matching.matcher import ItemMatcher
from resources.matching.normalize import normalize
from resources.matching.teaching import choseong, teaching_scenario
from tests.matching.conftest import number_of
from tests.matching.memory_log import MemorySelectionLog


def _log(*records: SelectionLog) -> MemorySelectionLog:
    log = MemorySelectionLog()
    log.add_selections(records)
    return log


def test_token_mapping_keeps_the_words_every_selection_shares(items) -> None:
    marlborough = number_of(items, "레이크 찰리스 말보로 소비뇽 블랑")
    falcon = number_of(items, "레이크 찰리스 더 팔콘 피노 누아")
    log = _log(
        SelectionLog("ㄹㅊ 말보로 소비뇽 블랑", marlborough),
        SelectionLog("ㄹㅊ 더 팔콘 피노 누아 24병", falcon),
    )
    learned = learn_aliases(read_all(log), items)
    assert learned.token_map == {normalize("ㄹㅊ"): "레이크 찰리스"}
    assert learned.selections_seen == 2 and learned.last_selection_id == 2


def test_one_selection_teaches_nothing_and_inconsistent_lines_make_no_alias(items) -> None:
    a, b = number_of(items, "글렌피딕 12년"), number_of(items, "맥캘란 12년 쉐리 오크")
    once = learn_aliases(read_all(_log(SelectionLog("ㄱㄹ 12년", a))), items)
    assert once.token_map == {} and once.phrase_items == {}
    mixed = learn_aliases(
        read_all(_log(SelectionLog("싱몰 12", a), SelectionLog("싱몰 12", a), SelectionLog("싱몰 12", b))), items
    )
    assert mixed.phrase_items == {} and mixed.client_phrase_items == {}


def test_phrase_alias_is_the_clients_own_when_one_client_uses_it(items) -> None:
    house = number_of(items, "몬테스 알파 까베르네 소비뇽")
    log = _log(*[SelectionLog("하우스 레드 6병", house, client_code="01025")] * 2)
    learned = learn_aliases(read_all(log), items)
    assert learned.client_phrase_items == {"01025": {"하우스레드": house}} and learned.phrase_items == {}
    assert learned.client_counts == {"01025": {house: 2}}
    shared = learn_aliases(
        read_all(_log(SelectionLog("하우스 레드", house, "01025"), SelectionLog("하우스 레드", house, "02117"))), items
    )
    assert shared.phrase_items == {"하우스레드": house}


def test_client_alias_answers_only_that_client(items) -> None:
    house = number_of(items, "몬테스 알파 까베르네 소비뇽")
    learned = learn_aliases([SelectionLog("하우스 레드", house, "01025")] * 2, items)
    matcher = ItemMatcher.build(items, learned)
    own = matcher.match("하우스 레드 12병", client_code="01025")
    assert own.stage == "alias" and own.results[0].item_no == house and own.quantity.amount == 12
    other = matcher.match("하우스 레드", client_code="02117")
    assert other.stage != "alias"


def test_hard_negatives_and_priors_change_the_ranking(items) -> None:
    twelve, fifteen = number_of(items, "글렌피딕 12년"), number_of(items, "글렌피딕 15년")
    base = ItemMatcher.build(items)
    before = [c.item_no for c in base.match("글렌피딕", client_code="07777").results]
    assert set(before[:4]) >= {twelve, fifteen}
    learned = learn_aliases(
        [SelectionLog("글렌피딕", fifteen, "07777", rejected_item_nos=(twelve,))] * 1, items, min_support=2
    )
    assert learned.negatives == {"글렌피딕": {twelve: 1}} and learned.client_counts == {"07777": {fifteen: 1}}
    after = ItemMatcher.build(items, learned).match("글렌피딕", client_code="07777")
    ranked = [c.item_no for c in after.results]
    assert ranked[0] == fifteen and ranked.index(twelve) > 0


def test_teaching_raises_accuracy_on_taught_queries_without_harm_elsewhere(items, matcher) -> None:
    teaching = teaching_scenario(items, seed=3, abbreviations=6, nicknames=6)
    assert len(teaching.taught) == 12

    def accuracy(m: ItemMatcher, queries) -> float:
        hits = [m.match(q.query, q.client_code).results[0].item_no == q.gold_item_no for q in queries]
        return sum(hits) / len(hits)

    taught = ItemMatcher.build(items, learn_aliases(teaching.selections, items))
    taught.calibration = matcher.calibration
    assert accuracy(matcher, teaching.queries) < 0.5
    assert accuracy(taught, teaching.queries) >= 0.9
    from resources.matching.queries import generate_queries

    others = [q for q in generate_queries(items, seed=8, per_type=10) if q.noise != "nickname"]
    assert accuracy(taught, others) >= accuracy(matcher, others)


def test_choseong() -> None:
    assert choseong("레이크 찰리스") == "ㄹㅊ"
    assert choseong("Lake Chalice") == "lc"

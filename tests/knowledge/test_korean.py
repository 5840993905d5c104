"""tagged_forms: the one POS filter of Kiwi tokens (prefix tags, order kept, optional lowercase)."""

from __future__ import annotations

from types import SimpleNamespace

from resources.korean import DEFAULT_KEEP_TAGS, KoreanTokenizer, tagged_forms


def tokens(*pairs: tuple[str, str]) -> list[SimpleNamespace]:
    return [SimpleNamespace(form=form, tag=tag) for form, tag in pairs]


def test_tags_are_prefixes_and_order_is_kept():
    sample = tokens(("API", "SL"), ("키", "NNG"), ("를", "JKO"), ("돕", "VV-I"), ("3", "SN"), ("서울", "NNP"))
    assert tagged_forms(sample, ("NN",)) == ["키", "서울"]
    assert tagged_forms(sample, ("VV", "SN")) == ["돕", "3"]
    assert tagged_forms(sample, DEFAULT_KEEP_TAGS, lowercase=True) == ["api", "키", "돕", "3", "서울"]


def test_tokenizer_terms_are_the_filter_of_its_keep_tags():
    tokenizer = KoreanTokenizer(keep_tags=("NNP",), lowercase=False)
    assert tokenizer.terms(tokens(("Seoul", "NNP"), ("가", "JKS"))) == ["Seoul"]

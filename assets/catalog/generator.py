"""Synthetic Danawa-style product catalogue (`products_all.csv`) for the catalog asset group.

`generate_products` builds a deterministic, realistic-looking price-comparison catalogue: 16 Korean
shopping categories of different sizes, Zipf-skewed brands, log-normal prices tied to pack sizes,
Danawa unit prices ("100ml당 1,250원"), "key: value / ..." specifications, heavy-tailed review counts
whose star, channel and keyword breakdowns add up, and six months of price history.

Every column of the returned frame is text, exactly as it is written to the CSV (empty string for
"no value"), so writing and reading back is lossless. `inject_defects` adds a documented handful of
dirty rows for reader tests; it is never applied by default. Pure numpy/pandas, no Dagster.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from resources.atomic import atomic_path

PRODUCT_COLUMNS: tuple[str, ...] = (
    "product_id",
    "category",
    "product_name",
    "brand",
    "price",
    "unit_price",
    "specifications",
    "rating",
    "review_count",
    "star_counts",
    "review_channels",
    "review_tags",
    "price_history",
    "collected_at",
)

SUPPORTED_ENCODINGS: tuple[str, ...] = ("utf-8", "utf-8-sig", "cp949")
HISTORY_MONTHS: tuple[str, ...] = ("2026-06", "2026-07", "2026-08", "2026-09", "2026-10", "2026-11")
CRAWL_DATES: tuple[str, ...] = tuple(f"2026-11-{day:02d}" for day in range(1, 21))
CHANNELS: tuple[str, ...] = ("네이버쇼핑", "쿠팡", "11번가", "G마켓", "옥션", "SSG닷컴", "롯데ON", "올리브영")
STARS = np.arange(5, 0, -1)  # star_counts are written 5 -> 1
MAX_TAGS = 6
BRAND_LISTING_EXPONENT = 0.6  # listings per brand ~ rank ** -exponent
BRAND_POPULARITY_EXPONENT = 0.7  # review volume per listing ~ rank ** -exponent
MIN_TAGS = 3

DEFECT_KINDS: tuple[str, ...] = (
    "non_numeric_price",
    "negative_review_count",
    "rating_out_of_range",
    "star_counts_mismatch",
    "empty_category",
    "duplicated_product_id",
)


@dataclass(frozen=True)
class Attribute:
    """One specification key with its values, draw weights and optional price multipliers.

    `linked` names a second key whose value is tied to the same draw (단계 -> 대상 연령).
    `in_name` puts the value into the product name.
    """

    key: str
    values: tuple[str, ...]
    weights: tuple[float, ...]
    price_factors: tuple[float, ...] | None = None
    in_name: bool = False
    linked: tuple[str, tuple[str, ...]] | None = None


@dataclass(frozen=True)
class Packaging:
    """Pack size of a consumable: size per item x number of items, and how Danawa prices a unit."""

    size_key: str
    sizes: tuple[int, ...]
    size_weights: tuple[float, ...]
    measure: str  # "ml", "g" or "매"
    packs: tuple[int, ...]
    pack_weights: tuple[float, ...]
    pack_word: str  # "개", "팩", "병"
    unit_label: str  # "100ml", "10g", "1매", "1개"
    unit_amount: int  # 100, 10, 1
    per_pack_only: bool = False  # unit price counts packs only (라면: "1개당")
    size_elasticity: float = -0.1  # unit price ~ (size / median size) ** elasticity (bigger is cheaper)


@dataclass(frozen=True)
class CategoryProfile:
    """Everything that makes one category look like itself."""

    name: str
    weight: float
    noun: str
    brands: tuple[str, ...]
    lines: tuple[str, ...]
    attributes: tuple[Attribute, ...]
    packaging: Packaging | None
    price_median: float  # KRW per unit_label for packaged goods (a mid-size pack), per item otherwise
    price_sigma: float
    round_unit: int
    price_range: tuple[int, int]  # plausible shelf prices; extreme draws are clipped into it
    rating_mean: float
    review_median: float
    zero_review_share: float
    channel_weights: tuple[float, ...]  # aligned with CHANNELS
    positive_tags: tuple[str, ...]
    negative_tags: tuple[str, ...]
    model_suffixes: tuple[str, ...] = ()
    name_keys: tuple[str, ...] = ()  # order of the in_name attributes in the product name, if not declaration order


def _attr(
    key: str,
    values: str,
    weights: tuple[float, ...],
    price_factors: tuple[float, ...] | None = None,
    in_name: bool = False,
    linked: tuple[str, tuple[str, ...]] | None = None,
) -> Attribute:
    """Shorthand for `Attribute` with the values given as one comma-separated string."""
    parsed = tuple(value.strip() for value in values.split(","))
    if len(parsed) != len(weights) or (price_factors is not None and len(price_factors) != len(parsed)):
        raise ValueError(f"attribute {key!r}: values, weights and price factors differ in length")
    if linked is not None and len(linked[1]) != len(parsed):
        raise ValueError(f"attribute {key!r}: linked values differ in length")
    return Attribute(key, parsed, weights, price_factors, in_name, linked)


def _tags(words: str) -> tuple[str, ...]:
    """ "a, b, c" -> ("a", "b", "c"); used for tags, product lines and model suffixes."""
    return tuple(word.strip() for word in words.split(","))


def _brands(names: str) -> tuple[str, ...]:
    """ "a, b, c" -> ("a", "b", "c"); brands are listed market leader first."""
    return tuple(name.strip() for name in names.split(","))


CATEGORIES: tuple[CategoryProfile, ...] = (
    CategoryProfile(
        name="샴푸",
        weight=13,
        noun="샴푸",
        brands=_brands(
            "윤담, 모레온, 살롱드뮤, 케라힐, 그린루트, 헤어플로, 퓨어모, 라보테라, 더마스칼프, 미엘르, "
            "보타닉하우스, 숲결, 헤어리움, 닥터스칼라"
        ),
        lines=_tags(
            "자양윤모, 탈모케어, 두피쿨링, 딥클렌징, 실크모이스처, 약산성 밸런스, 블랙빈 볼륨, "
            "허브 리프레시, 단백질 리페어, 쿨민트 스칼프"
        ),
        attributes=(
            _attr("종류", "샴푸, 두피 샴푸, 탈모 기능성 샴푸", (5, 3, 2), price_factors=(1.0, 1.15, 1.35)),
            _attr("모발타입", "모든모발, 손상모발, 지성두피, 건성두피, 가는모발", (4, 3, 2, 1.5, 1)),
            _attr("특징", "약산성, 실리콘프리, 쿨링, 무향료, 비건", (4, 3, 2, 1, 1)),
        ),
        packaging=Packaging(
            "용량",
            (300, 400, 500, 550, 680, 780, 1000, 1500),
            (2, 3, 4, 3, 2, 2, 2, 1),
            "ml",
            (1, 2, 3, 4),
            (6, 4, 2, 1),
            "개",
            "100ml",
            100,
        ),
        price_median=1300,
        price_sigma=0.45,
        round_unit=10,
        price_range=(2_900, 89_000),
        rating_mean=4.6,
        review_median=150,
        zero_review_share=0.22,
        channel_weights=(4, 4, 1, 1, 0.5, 0.5, 0.3, 1.5),
        positive_tags=_tags("향좋음, 거품풍성, 가성비, 두피시원, 머릿결부드러움, 순함, 배송빠름, 재구매"),
        negative_tags=_tags("뻣뻣함, 향이강함, 두피가려움"),
    ),
    CategoryProfile(
        name="기저귀",
        weight=10,
        noun="기저귀",
        brands=_brands(
            "보송맘, 베베숲길, 마미케어, 네이처베베, 토디랑, 몽실베이비, 나비잠, 아가포근, 솜사탕베베, 리틀허그"
        ),
        lines=_tags("네이처핏, 슈퍼드라이, 오가닉, 에어핏, 프리미엄 소프트, 나이트케어, 썸머쿨, 퓨어코튼"),
        attributes=(
            _attr("종류", "팬티형, 밴드형", (3, 2), price_factors=(1.1, 1.0), in_name=True),
            _attr(
                "단계",
                "신생아, 1단계, 2단계, 3단계, 4단계, 5단계, 6단계",
                (1, 1.5, 2, 3, 3, 2.5, 1.5),
                in_name=True,
                linked=(
                    "대상 연령",
                    ("0~1개월", "1~3개월", "3~6개월", "6~12개월", "12~24개월", "24~36개월", "36개월 이상"),
                ),
            ),
            _attr("성별", "공용, 남아용, 여아용", (5, 1, 1)),
            _attr("특징", "사계절용, 여름용, 밤기저귀", (5, 2, 1.5), price_factors=(1.0, 1.05, 1.2)),
        ),
        packaging=Packaging(
            "매수",
            (22, 30, 36, 42, 52, 60, 72, 84),
            (1, 1, 2, 3, 3, 2, 1, 1),
            "매",
            (1, 2, 3, 4),
            (3, 3, 2, 2),
            "팩",
            "1매",
            1,
        ),
        price_median=330,
        price_sigma=0.3,
        round_unit=10,
        price_range=(5_900, 159_000),
        rating_mean=4.7,
        review_median=260,
        zero_review_share=0.18,
        channel_weights=(3, 6, 1.5, 1.5, 1, 1, 0.5, 0),
        positive_tags=_tags("흡수력좋음, 샘방지, 부드러움, 가성비, 발진없음, 배송빠름, 얇아요, 재구매"),
        negative_tags=_tags("샘발생, 사이즈작음, 냄새"),
    ),
    CategoryProfile(
        name="무선이어폰",
        weight=12,
        noun="무선이어폰",
        brands=_brands(
            "사운드핏, 큐센스, 오디오랩, 비트로, 픽스톤, 링크버즈온, 노이즈제로, 모비톤, 에코웨이브, 소리담, "
            "클리어비트, 제로베젤, 포켓튠, 하이파이랩, 블루오르카, 루프사운드, 에어로튠, 피치원"
        ),
        lines=_tags("버즈, 에어튠, 팟, 비트, 사운드, 클리어, 루프, 스포츠, 나노, 오픈핏"),
        attributes=(
            _attr("타입", "커널형, 오픈형, 반오픈형, 골전도", (6, 2, 2, 1), price_factors=(1.0, 0.9, 0.9, 1.3)),
            _attr("노이즈캔슬링", "지원, 미지원", (5, 4), price_factors=(1.6, 1.0)),
            _attr("블루투스", "5.2, 5.3, 5.4", (2, 5, 3)),
            _attr("재생시간", "최대 6시간, 최대 8시간, 최대 10시간, 최대 12시간", (2, 4, 3, 1)),
            _attr("방수", "미지원, IPX4, IPX5, IP54, IPX7", (2, 4, 3, 2, 1)),
            _attr("용도", "일상용, 운동용, 게이밍, 통화용", (6, 2, 1, 1)),
            _attr("색상", "블랙, 화이트, 네이비, 실버, 베이지", (5, 4, 1, 1, 1)),
        ),
        packaging=None,
        price_median=62000,
        price_sigma=0.6,
        round_unit=100,
        price_range=(9_900, 459_000),
        rating_mean=4.4,
        review_median=90,
        zero_review_share=0.30,
        channel_weights=(5, 3, 2, 1.5, 0.8, 0.5, 0.5, 0),
        positive_tags=_tags("음질좋음, 노캔좋음, 착용감좋음, 배터리오래감, 연결안정, 가성비, 통화품질좋음, 디자인예쁨"),
        negative_tags=_tags("끊김, 귀아픔, 배터리짧음"),
        model_suffixes=_tags("2, 3, Pro, Pro 2, Lite, Max, SE, Air, X"),
    ),
    CategoryProfile(
        name="로봇청소기",
        weight=4,
        noun="로봇청소기",
        brands=_brands(
            "클린메이트, 스윕온, 마이봇, 홈로보, 로보킹덤, 아이클린, 에코스윕, 더스트제로, 스마트브룸, 봇앤홈"
        ),
        lines=_tags("S8, Q7, T10, X20, V5, R9, M12, P30"),
        attributes=(
            _attr("타입", "흡입 전용, 물걸레 겸용, 올인원 스테이션", (2, 4, 3), price_factors=(0.6, 1.0, 2.1)),
            _attr(
                "흡입력",
                "2700Pa, 4000Pa, 6000Pa, 8000Pa, 12000Pa",
                (1, 2, 3, 2, 1),
                price_factors=(0.8, 0.9, 1.0, 1.15, 1.35),
            ),
            _attr("맵핑", "자이로, LDS 라이다, 3D 카메라", (1, 4, 2), price_factors=(0.7, 1.0, 1.2)),
            _attr("자동먼지비움", "지원, 미지원", (1, 1), price_factors=(1.15, 1.0)),
            _attr("평형 구분", "20평 이하, 30평 이하, 40평 이상", (2, 3, 2)),
        ),
        packaging=None,
        price_median=420000,
        price_sigma=0.4,
        round_unit=100,
        price_range=(99_000, 1_890_000),
        rating_mean=4.3,
        review_median=60,
        zero_review_share=0.33,
        channel_weights=(5, 3, 2.5, 1.5, 0.8, 1, 1, 0),
        positive_tags=_tags("흡입력좋음, 맵핑정확, 물걸레깨끗, 조용함, 앱편리, 설치쉬움, 먼지통편리"),
        negative_tags=_tags("걸림잦음, 소음큼, 문턱못넘음"),
        model_suffixes=_tags("Max, Ultra, Pro, Plus, S, Lite"),
    ),
    CategoryProfile(
        name="커피원두",
        weight=8,
        noun="원두커피",
        brands=_brands(
            "로스터리K, 모모빈, 빈스토리, 원두마을, 카페뮤, 그린로스트, 헤이즐빈, 콩스탄트, "
            "블랙스미스커피, 온도로스터스, 커피밭, 브루랩"
        ),
        lines=_tags("시그니처, 하우스블렌드, 싱글오리진, 에스프레소 블렌드, 데일리, 스페셜티, 모닝"),
        attributes=(
            _attr("종류", "원두, 디카페인 원두", (9, 1), price_factors=(1.0, 1.15)),
            _attr(
                "원산지",
                "에티오피아, 콜롬비아, 브라질, 과테말라, 케냐, 블렌드",
                (3, 2, 2, 1, 1, 4),
                price_factors=(1.15, 1.0, 0.9, 1.05, 1.2, 0.95),
                in_name=True,
            ),
            _attr("로스팅", "라이트, 미디엄, 미디엄다크, 다크", (1.5, 3, 3, 2)),
            _attr("분쇄", "홀빈, 핸드드립 분쇄, 에스프레소 분쇄", (6, 2, 1)),
        ),
        packaging=Packaging("용량", (200, 250, 500, 1000), (2, 2, 3, 3), "g", (1, 2, 3), (6, 2, 1), "개", "10g", 10),
        price_median=260,
        price_sigma=0.35,
        round_unit=10,
        price_range=(2_900, 149_000),
        rating_mean=4.6,
        review_median=80,
        zero_review_share=0.27,
        channel_weights=(6, 3, 1, 1, 0.5, 0.8, 0.3, 0),
        positive_tags=_tags("산미좋음, 고소함, 향좋음, 신선함, 바디감좋음, 가성비, 배송빠름, 포장꼼꼼"),
        negative_tags=_tags("쓴맛강함, 산미강함, 로스팅오래됨"),
    ),
    CategoryProfile(
        name="생수",
        weight=5,
        noun="",
        brands=_brands("한라샘, 평창샘물, 제주퓨어, 강원심층수, 산들샘, 순수한물, 백두천, 청정수, 맑은샘터, 에코워터"),
        lines=_tags(", , 청정, 에코, 프리미엄"),
        attributes=(
            _attr("종류", "생수, 미네랄워터, 탄산수", (8, 2, 1), price_factors=(1.0, 1.3, 1.4), in_name=True),
            _attr("포장", "무라벨, 유라벨", (1, 1), price_factors=(1.02, 1.0)),
            _attr("취수원", "제주, 강원, 경기, 충북, 해외", (3, 3, 1, 1, 1), price_factors=(1.15, 1.0, 0.9, 0.9, 1.6)),
        ),
        packaging=Packaging(
            "용량",
            (330, 500, 1000, 2000),
            (1, 4, 1, 4),
            "ml",
            (6, 12, 20, 24, 40),
            (2, 3, 3, 2, 1),
            "병",
            "100ml",
            100,
            size_elasticity=-0.45,
        ),
        price_median=38,
        price_sigma=0.25,
        round_unit=10,
        price_range=(990, 39_000),
        rating_mean=4.7,
        review_median=400,
        zero_review_share=0.17,
        channel_weights=(3, 7, 1.5, 1.5, 1, 1.5, 0.5, 0),
        positive_tags=_tags("물맛좋음, 가성비, 배송빠름, 무라벨편함, 포장꼼꼼, 재구매, 깔끔함"),
        negative_tags=_tags("찌그러짐, 플라스틱냄새"),
    ),
    CategoryProfile(
        name="선크림",
        weight=11,
        noun="선크림",
        brands=_brands(
            "닥터선케어, 라운드데이, 플레인데이, 그린세라, 더마쉴드, 달빛정원, 믹스온, 선데이랩, 퓨어가든, "
            "스킨포레, 데일리쉴드, 한결피부, 셀라디, 아쿠아베일, 모닝듀"
        ),
        lines=_tags("마일드, 아쿠아, 톤업, 워터리, 카밍, 데일리, 에어리, 프레시"),
        attributes=(
            _attr("타입", "크림, 로션, 스틱, 스프레이, 젤", (6, 2, 2, 1, 1), price_factors=(1.0, 0.95, 1.3, 1.1, 1.0)),
            _attr("자외선차단", "SPF50+ PA++++, SPF50 PA+++, SPF35 PA++", (7, 2, 1)),
            _attr("차단방식", "무기자차, 유기자차, 혼합자차", (3, 4, 2), price_factors=(1.1, 1.0, 1.0)),
            _attr("피부타입", "모든피부, 민감성, 지성, 건성", (4, 3, 2, 1)),
        ),
        packaging=Packaging(
            "용량", (40, 50, 60, 70, 100), (1, 5, 2, 1, 1), "ml", (1, 2, 3), (6, 3, 1), "개", "10ml", 10
        ),
        price_median=2600,
        price_sigma=0.4,
        round_unit=10,
        price_range=(5_900, 89_000),
        rating_mean=4.6,
        review_median=180,
        zero_review_share=0.24,
        channel_weights=(4, 3, 1, 1, 0.5, 0.5, 0.3, 3),
        positive_tags=_tags("백탁없음, 촉촉함, 순함, 끈적임없음, 발림성좋음, 가성비, 눈시림없음, 메이크업잘받음"),
        negative_tags=_tags("눈시림, 백탁있음, 트러블"),
    ),
    CategoryProfile(
        name="에어프라이어",
        weight=5,
        noun="에어프라이어",
        brands=_brands("리빙웰, 쿡스마트, 홈셰프, 쿡앤조이, 한결쿡, 코지키친, 에어쿡, 마이키친, 라이프온, 일렉트로홈"),
        lines=_tags("에어쿡, 바삭, 글라스, 스테인리스, 듀얼, 오븐핏, 미니"),
        attributes=(
            _attr("타입", "바스켓형, 오븐형, 투명창 바스켓형", (5, 3, 2), price_factors=(1.0, 1.5, 1.2)),
            _attr(
                "용량",
                "4.5L, 5.5L, 7L, 10L, 12L, 16L",
                (2, 4, 3, 2, 1, 1),
                price_factors=(0.8, 0.9, 1.0, 1.15, 1.3, 1.5),
                in_name=True,
            ),
            _attr("소비전력", "1400W, 1500W, 1700W, 1800W", (2, 3, 3, 2)),
            _attr("조작방식", "다이얼, 터치, 스마트앱", (4, 5, 1), price_factors=(0.9, 1.0, 1.3)),
            _attr("색상", "화이트, 블랙, 그레이, 아이보리", (4, 3, 2, 1)),
        ),
        packaging=None,
        price_median=98000,
        price_sigma=0.45,
        round_unit=100,
        price_range=(29_900, 399_000),
        rating_mean=4.5,
        review_median=120,
        zero_review_share=0.26,
        channel_weights=(5, 4, 2, 1.5, 0.8, 1, 1, 0),
        positive_tags=_tags("바삭함, 세척쉬움, 용량넉넉, 조용함, 디자인예쁨, 가성비, 예열빠름"),
        negative_tags=_tags("코팅벗겨짐, 냄새남, 소음큼"),
        model_suffixes=_tags(", Plus, Pro, 2, Max"),
    ),
    CategoryProfile(
        name="강아지사료",
        weight=8,
        noun="강아지사료",
        brands=_brands(
            "하이펫, 웰니스독, 도그랑, 퍼피럽, 뉴트리펫, 내추럴코어, 펫밀리, 오가닉바우, 멍멍식당, "
            "포레스트펫, 테일러펫, 바우와우랩"
        ),
        lines=_tags("그레인프리, 홀리스틱, 오리지널, 라이트, 센서티브, 데일리, 프리미엄"),
        attributes=(
            _attr("종류", "건식사료, 소프트사료, 동결건조", (8, 2, 1), price_factors=(1.0, 1.2, 2.0)),
            _attr(
                "대상 연령",
                "퍼피, 어덜트, 시니어, 전연령",
                (2, 4, 2, 3),
                price_factors=(1.1, 1.0, 1.1, 0.95),
                in_name=True,
            ),
            _attr(
                "주원료",
                "연어, 양고기, 닭고기, 오리, 소고기, 인섹트",
                (3, 2, 4, 2, 1, 0.5),
                price_factors=(1.15, 1.1, 0.9, 1.1, 1.2, 1.3),
            ),
            _attr("기능", "피모, 관절, 체중관리, 알러지, 장건강", (3, 2, 2, 2, 2)),
            _attr("입자크기", "소립, 중립, 대립", (5, 3, 1)),
        ),
        packaging=Packaging(
            "중량", (1200, 2000, 3000, 6000, 10000, 15000), (3, 4, 2, 3, 1, 1), "g", (1, 2), (8, 2), "개", "100g", 100
        ),
        price_median=1000,
        price_sigma=0.4,
        round_unit=10,
        price_range=(4_900, 249_000),
        rating_mean=4.6,
        review_median=110,
        zero_review_share=0.25,
        channel_weights=(5, 5, 1, 1, 0.5, 0.5, 0.3, 0),
        positive_tags=_tags("기호성좋음, 잘먹어요, 변상태좋음, 모질개선, 알갱이적당, 가성비, 재구매"),
        negative_tags=_tags("안먹어요, 설사, 알갱이큼"),
    ),
    CategoryProfile(
        name="물티슈",
        weight=6,
        noun="물티슈",
        brands=_brands(
            "순수미, 베베숲결, 코디온, 그린핑거랩, 소프트허그, 몽글몽글, 깨끗한하루, 아기구름, 네이처터치, 데일리와이프"
        ),
        lines=_tags("베이직, 엠보싱, 플레인, 도톰, 센서티브, 휴대용"),
        attributes=(
            _attr("종류", "아기 물티슈, 일반 물티슈, 손소독 물티슈", (6, 3, 1), price_factors=(1.0, 0.9, 1.2)),
            _attr("평량", "55gsm, 65gsm, 75gsm, 85gsm", (2, 3, 3, 2), price_factors=(0.8, 0.95, 1.1, 1.3)),
            _attr("캡", "캡형, 스티커형, 리필형", (4, 4, 2), price_factors=(1.1, 1.0, 0.9)),
        ),
        packaging=Packaging(
            "매수", (70, 80, 100, 120), (2, 3, 4, 1), "매", (5, 10, 20, 30), (1, 5, 3, 1), "팩", "1매", 1
        ),
        price_median=16,
        price_sigma=0.3,
        round_unit=10,
        price_range=(2_900, 79_000),
        rating_mean=4.7,
        review_median=320,
        zero_review_share=0.19,
        channel_weights=(3, 6, 1.5, 1.5, 1, 1, 0.5, 0),
        positive_tags=_tags("도톰함, 촉촉함, 무향, 가성비, 캡편리, 순함, 배송빠름, 재구매"),
        negative_tags=_tags("얇음, 마름, 보풀"),
    ),
    CategoryProfile(
        name="단백질보충제",
        weight=7,
        noun="프로틴",
        brands=_brands(
            "프로틴팩토리, 칼로바이오, 데이즈프로, 컴뱃랩, 더단백, 뉴트리코어, 빅씨프, 머슬업, 핏앤핏, "
            "단백공장, 웨이랩, 피트니스킹"
        ),
        lines=_tags("골드, 퍼포먼스, 데일리, 프로, 클래식, 울트라, 베이직"),
        attributes=(
            _attr(
                "타입",
                "WPC, WPI, WPC+WPI, 식물성, 카제인",
                (4, 3, 2, 1.5, 0.5),
                price_factors=(1.0, 1.3, 1.15, 1.1, 1.2),
            ),
            _attr("맛", "초코, 바닐라, 쿠키앤크림, 딸기, 무맛, 커피", (5, 3, 2, 1, 1, 1), in_name=True),
            _attr("목적", "근성장, 다이어트, 식사대용, 시니어", (5, 2, 2, 1)),
        ),
        packaging=Packaging(
            "중량", (900, 1000, 2000, 2270, 4540), (2, 3, 3, 3, 1), "g", (1, 2), (8, 2), "개", "10g", 10
        ),
        price_median=300,
        price_sigma=0.35,
        round_unit=10,
        price_range=(9_900, 259_000),
        rating_mean=4.5,
        review_median=140,
        zero_review_share=0.23,
        channel_weights=(5, 5, 1.5, 1, 0.5, 0.5, 0.3, 0.5),
        positive_tags=_tags("맛있음, 잘녹음, 가성비, 포만감, 소화잘됨, 단백질함량높음, 재구매"),
        negative_tags=_tags("뭉침, 맛없음, 속더부룩"),
    ),
    CategoryProfile(
        name="전동칫솔",
        weight=4,
        noun="전동칫솔",
        brands=_brands("덴탈소닉, 닥터브러쉬, 스마일케어, 루티나, 플로스온, 화이트랩, 소닉덴트, 오랄핏"),
        lines=_tags("소닉, 클린, 화이트, 케어, 키즈, 슬림"),
        attributes=(
            _attr("타입", "음파식, 회전식, 초음파식", (6, 2, 1), price_factors=(1.0, 1.2, 1.6)),
            _attr("모드", "2모드, 3모드, 5모드", (2, 4, 2), price_factors=(0.9, 1.0, 1.2)),
            _attr("충전방식", "USB-C, 무선 충전, 건전지", (5, 3, 1), price_factors=(1.0, 1.3, 0.5)),
            _attr("대상 연령", "성인용, 어린이용", (6, 1), price_factors=(1.0, 0.6)),
            _attr("구성품", "본체+칫솔모 2개, 본체+칫솔모 4개, 본체+칫솔모 1개+케이스", (4, 2, 2)),
        ),
        packaging=None,
        price_median=52000,
        price_sigma=0.6,
        round_unit=100,
        price_range=(9_900, 399_000),
        rating_mean=4.5,
        review_median=100,
        zero_review_share=0.28,
        channel_weights=(5, 4, 1.5, 1, 0.5, 0.8, 0.5, 0.5),
        positive_tags=_tags("세정력좋음, 배터리오래감, 진동적당, 가벼움, 충전편리, 잇몸편함, 가성비"),
        negative_tags=_tags("소음큼, 배터리짧음, 리필비쌈"),
        model_suffixes=_tags("2, 3, Pro, 프로, 플러스, S"),
    ),
    CategoryProfile(
        name="라면",
        weight=6,
        noun="",
        brands=_brands("대풍식품, 면가네, 맛있는면, 진국면가, 온누리푸드, 얼큰당, 면사랑채, 국민라면"),
        lines=_tags("오리지널, 진한, 프리미엄, 면왕, 한그릇, 옛날, 불맛, 시골"),
        attributes=(
            _attr("종류", "봉지라면, 컵라면, 큰컵라면", (5, 2, 1.5), price_factors=(1.0, 1.3, 1.5), in_name=True),
            _attr("맛", "매운맛, 순한맛, 짜장, 비빔, 해물, 짬뽕, 사골", (5, 2, 2, 1.5, 1.5, 2, 1), in_name=True),
            _attr("면종류", "유탕면, 건면", (5, 1), price_factors=(1.0, 1.15)),
        ),
        packaging=Packaging(
            "중량",
            (90, 110, 120, 130, 140),
            (1, 2, 3, 2, 1),
            "g",
            (4, 5, 8, 10, 20, 30, 40),
            (2, 4, 2, 1, 1, 1, 0.5),
            "개",
            "1개",
            1,
            per_pack_only=True,
        ),
        price_median=850,
        price_sigma=0.25,
        round_unit=10,
        price_range=(1_990, 59_000),
        rating_mean=4.7,
        review_median=350,
        zero_review_share=0.20,
        channel_weights=(3, 6, 1.5, 1.5, 1, 1.5, 0.8, 0),
        positive_tags=_tags("맛있음, 국물진함, 면쫄깃, 가성비, 매콤함, 배송빠름, 재구매, 유통기한넉넉"),
        negative_tags=_tags("너무매움, 면불음, 파손"),
        name_keys=("맛", "종류"),
    ),
    CategoryProfile(
        name="게이밍마우스",
        weight=8,
        noun="게이밍 마우스",
        brands=_brands(
            "넥서스G, 맥스포인트, 아크리온, 다크에지, 펄사이드, 엑스퀀텀, 로캣기어, 배틀스톰, 헥사곤, "
            "블레이드원, 스톰기어, 피닉스G, 하이퍼클릭, 제로랙"
        ),
        lines=_tags("G, M, V, Viper, Strike, Pulse, Raptor, Nova"),
        attributes=(
            _attr("타입", "유선, 무선, 유무선", (4, 3, 3), price_factors=(0.7, 1.2, 1.3), in_name=True),
            _attr(
                "최대 감도", "12000DPI, 16000DPI, 26000DPI, 30000DPI", (2, 3, 3, 2), price_factors=(0.8, 0.9, 1.1, 1.3)
            ),
            _attr("무게", "55g, 63g, 75g, 85g, 99g", (2, 3, 2, 2, 1), price_factors=(1.3, 1.2, 1.0, 0.9, 0.85)),
            _attr("그립", "대칭형, 오른손형", (1, 1)),
            _attr("버튼", "5버튼, 6버튼, 8버튼, 11버튼", (3, 3, 2, 1)),
            _attr("색상", "블랙, 화이트, 핑크", (6, 3, 1)),
        ),
        packaging=None,
        price_median=42000,
        price_sigma=0.6,
        round_unit=100,
        price_range=(9_900, 259_000),
        rating_mean=4.5,
        review_median=70,
        zero_review_share=0.31,
        channel_weights=(5, 3, 2.5, 1.5, 1, 0.3, 0.3, 0),
        positive_tags=_tags("가벼움, 그립감좋음, 클릭감좋음, 센서정확, 무선안정, 가성비, 디자인예쁨, 소프트웨어편리"),
        negative_tags=_tags("더블클릭, 휠불량, 배터리짧음"),
        model_suffixes=_tags("1, 2, 3 Pro, X, Pro, Mini, Ultra Light"),
    ),
    CategoryProfile(
        name="바디워시",
        weight=5,
        noun="",
        brands=_brands(
            "해피바디, 온더스킨, 바디하모니, 일리케어, 순한몸, 보들보들, 라벤더힐, 데일리샤워, 밀키웨이, 포레스트바스"
        ),
        lines=_tags("퓨어, 모이스처, 퍼퓸드, 약산성, 베이비, 리프레시"),
        attributes=(
            _attr("종류", "바디워시, 바디스크럽, 샤워오일", (8, 1, 1), price_factors=(1.0, 1.3, 1.4), in_name=True),
            _attr("향", "무향, 라벤더, 베이비파우더, 시트러스, 코튼, 머스크", (2, 2, 2, 1, 2, 1)),
            _attr("피부타입", "모든피부, 건성, 민감성, 지성", (4, 2, 2, 1)),
            _attr("특징", "약산성, 보습, 각질케어, 쿨링", (3, 4, 1, 1)),
        ),
        packaging=Packaging(
            "용량",
            (400, 500, 750, 900, 1000, 1200),
            (1, 2, 2, 3, 2, 1),
            "ml",
            (1, 2, 3, 4),
            (6, 3, 1, 1),
            "개",
            "100ml",
            100,
        ),
        price_median=1100,
        price_sigma=0.45,
        round_unit=10,
        price_range=(2_900, 69_000),
        rating_mean=4.6,
        review_median=130,
        zero_review_share=0.22,
        channel_weights=(4, 5, 1, 1, 0.5, 0.8, 0.3, 1.5),
        positive_tags=_tags("향좋음, 촉촉함, 거품풍성, 순함, 가성비, 대용량, 재구매, 잔향오래감"),
        negative_tags=_tags("건조함, 향이강함, 미끌거림"),
    ),
    CategoryProfile(
        name="세탁세제",
        weight=5,
        noun="세탁세제",
        brands=_brands("한입세제, 퓨어런드리, 크린온, 스파클, 샤프란느, 뽀송뽀송, 리프레시, 에코워시, 맑은빨래, 순백"),
        lines=_tags("파워클린, 고농축, 베이비, 퍼퓸, 딥클린, 내추럴"),
        attributes=(
            _attr("종류", "액체세제, 고농축 액체세제", (3, 2), price_factors=(1.0, 1.3)),
            _attr(
                "용도", "일반/드럼 겸용, 드럼용, 아기옷용, 울/실크용", (5, 3, 1, 1), price_factors=(1.0, 1.0, 1.3, 1.4)
            ),
            _attr("향", "무향, 라벤더, 프레시코튼, 허브", (2, 2, 3, 1)),
        ),
        packaging=Packaging(
            "용량",
            (1500, 2000, 2500, 3000, 3200, 4000),
            (1, 2, 2, 3, 1, 1),
            "ml",
            (1, 2, 3, 4),
            (4, 3, 2, 2),
            "개",
            "100ml",
            100,
        ),
        price_median=420,
        price_sigma=0.35,
        round_unit=10,
        price_range=(4_900, 99_000),
        rating_mean=4.6,
        review_median=170,
        zero_review_share=0.21,
        channel_weights=(3, 6, 1.5, 1.5, 1, 1, 0.5, 0),
        positive_tags=_tags("세척력좋음, 향좋음, 헹굼깔끔, 가성비, 대용량, 저자극, 거품적음, 재구매"),
        negative_tags=_tags("향이강함, 잔여물, 뭉침"),
    ),
)


# --------------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------------


def generate_products(n_products: int = 1800, seed: int = 20260126) -> pd.DataFrame:
    """Return `n_products` synthetic catalogue rows, all columns text, in `PRODUCT_COLUMNS` order.

    The result depends only on (`n_products`, `seed`); each category draws from its own child seed.
    """
    if n_products < 1:
        raise ValueError(f"n_products must be >= 1, got {n_products}")
    sizes = category_sizes(n_products)
    children = np.random.SeedSequence(seed).spawn(len(CATEGORIES))
    frames = [
        _generate_category(profile, size, np.random.default_rng(child))
        for profile, size, child in zip(CATEGORIES, sizes, children)
        if size > 0
    ]
    frame = pd.concat(frames, ignore_index=True)
    frame.insert(0, "product_id", [f"P{index:07d}" for index in range(1, len(frame) + 1)])
    return frame.loc[:, list(PRODUCT_COLUMNS)]


def write_products_csv(frame: pd.DataFrame, path: str | Path, encoding: str = "utf-8") -> Path:
    """Write `frame` atomically as CSV (no index, `\\n` line ends) in utf-8, utf-8-sig or cp949."""
    if encoding not in SUPPORTED_ENCODINGS:
        raise ValueError(f"encoding must be one of {SUPPORTED_ENCODINGS}, got {encoding!r}")
    target = Path(path)
    with atomic_path(target) as tmp:
        frame.to_csv(tmp, index=False, encoding=encoding, lineterminator="\n")
    return target


def inject_defects(frame: pd.DataFrame, seed: int = 0) -> pd.DataFrame:
    """Return a copy of `frame` with one row per kind in `DEFECT_KINDS` made dirty.

    - non_numeric_price: `price` becomes "가격문의"
    - negative_review_count: `review_count` becomes a negative integer
    - rating_out_of_range: `rating` becomes "7.5" (on a reviewed product)
    - star_counts_mismatch: the 5-star count grows by 3, so the stars no longer sum to review_count
    - empty_category: `category` becomes ""
    - duplicated_product_id: an exact copy of one row is appended at the end

    The five edited rows are distinct. `result.attrs["injected_defects"]` maps each kind to the
    affected product_id.
    """
    dirty = frame.reset_index(drop=True).copy()
    rng = np.random.default_rng(seed)
    reviewed = np.flatnonzero(dirty["review_count"].ne("0").to_numpy() & dirty["star_counts"].ne("").to_numpy())
    if len(dirty) < 6 or len(reviewed) < 2:
        raise ValueError("inject_defects needs at least 6 rows, 2 of them with reviews")
    on_reviewed = rng.choice(reviewed, size=2, replace=False)
    others = np.setdiff1d(np.arange(len(dirty)), on_reviewed)
    rest = rng.choice(others, size=4, replace=False)
    rating_row, stars_row = (int(row) for row in on_reviewed)
    price_row, count_row, category_row, duplicate_row = (int(row) for row in rest)

    dirty.loc[price_row, "price"] = "가격문의"
    dirty.loc[count_row, "review_count"] = f"-{int(rng.integers(1, 50))}"
    dirty.loc[rating_row, "rating"] = "7.5"
    dirty.loc[stars_row, "star_counts"] = _inflate_five_stars(dirty.loc[stars_row, "star_counts"], 3)
    dirty.loc[category_row, "category"] = ""
    dirty = pd.concat([dirty, dirty.iloc[[duplicate_row]]], ignore_index=True)

    rows = (price_row, count_row, rating_row, stars_row, category_row, duplicate_row)
    dirty.attrs["injected_defects"] = {
        kind: str(frame.iloc[row]["product_id"]) for kind, row in zip(DEFECT_KINDS, rows)
    }
    return dirty


def _inflate_five_stars(star_counts: str, extra: int) -> str:
    """ "5:10|4:2|..." -> "5:13|4:2|..." (the first entry is always the 5-star count)."""
    first, _, rest = star_counts.partition("|")
    label, _, count = first.partition(":")
    return f"{label}:{int(count) + extra}|{rest}"


def category_sizes(n_products: int) -> list[int]:
    """Split `n_products` over `CATEGORIES` by weight (largest remainder, every category >= 1 if possible)."""
    weights = np.array([profile.weight for profile in CATEGORIES], dtype=float)
    count = len(CATEGORIES)
    if n_products < count:
        sizes = np.zeros(count, dtype=int)
        sizes[np.argsort(-weights, kind="stable")[:n_products]] = 1
        return sizes.tolist()
    share = weights / weights.sum() * (n_products - count)
    sizes = 1 + np.floor(share).astype(int)
    missing = n_products - int(sizes.sum())
    sizes[np.argsort(-(share - np.floor(share)), kind="stable")[:missing]] += 1
    return sizes.tolist()


# --------------------------------------------------------------------------------------------------
# One category
# --------------------------------------------------------------------------------------------------


def _generate_category(profile: CategoryProfile, size: int, rng: np.random.Generator) -> pd.DataFrame:
    brand_idx = _draw_brands(len(profile.brands), size, rng)
    line_idx = (brand_idx * 3 + rng.integers(0, 4, size)) % len(profile.lines)
    attribute_idx = [_draw(attribute.weights, size, rng) for attribute in profile.attributes]
    size_idx, pack_idx = _draw_packaging(profile.packaging, size, rng)

    price = _draw_prices(profile, brand_idx, attribute_idx, size_idx, pack_idx, rng)
    review_count = _draw_review_counts(profile, brand_idx, price, rng)
    target_mean = _draw_rating_targets(profile, brand_idx, rng)
    stars = rng.multinomial(review_count, _star_probabilities(target_mean))
    reviewed = review_count > 0

    return pd.DataFrame(
        {
            "category": profile.name,
            "product_name": _product_names(profile, brand_idx, line_idx, attribute_idx, size_idx, pack_idx, rng),
            "brand": np.asarray(profile.brands, dtype=object)[brand_idx],
            "price": price.astype(str),
            "unit_price": _unit_price_texts(profile.packaging, price, size_idx, pack_idx),
            "specifications": _specification_texts(profile, attribute_idx, size_idx, pack_idx),
            "rating": _rating_texts(stars, review_count),
            "review_count": review_count.astype(str),
            "star_counts": _star_count_texts(stars, reviewed),
            "review_channels": _channel_texts(profile, review_count, rng),
            "review_tags": _tag_texts(profile, review_count, target_mean, rng),
            "price_history": _price_history_texts(price, profile.round_unit, rng),
            "collected_at": np.asarray(CRAWL_DATES, dtype=object)[rng.integers(0, len(CRAWL_DATES), size)],
        }
    )


def _draw(weights: tuple[float, ...], size: int, rng: np.random.Generator) -> np.ndarray:
    probabilities = np.asarray(weights, dtype=float)
    return rng.choice(len(probabilities), size=size, p=probabilities / probabilities.sum())


def _draw_brands(brand_count: int, size: int, rng: np.random.Generator) -> np.ndarray:
    """Brand index per product; index 0 is the market leader (Zipf-like listing counts)."""
    listing_weights = (np.arange(brand_count) + 1.0) ** -BRAND_LISTING_EXPONENT
    return _draw(tuple(listing_weights), size, rng)


def _draw_packaging(packaging: Packaging | None, size: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    if packaging is None:
        zeros = np.zeros(size, dtype=int)
        return zeros, zeros
    return _draw(packaging.size_weights, size, rng), _draw(packaging.pack_weights, size, rng)


def _unit_counts(packaging: Packaging, size_idx: np.ndarray, pack_idx: np.ndarray) -> np.ndarray:
    """How many units (ml, g, 매 or 개) the listing contains, as used for the unit price."""
    packs = np.asarray(packaging.packs)[pack_idx]
    if packaging.per_pack_only:
        return packs
    return np.asarray(packaging.sizes)[size_idx] * packs


# --------------------------------------------------------------------------------------------------
# Prices
# --------------------------------------------------------------------------------------------------


def _draw_prices(
    profile: CategoryProfile,
    brand_idx: np.ndarray,
    attribute_idx: list[np.ndarray],
    size_idx: np.ndarray,
    pack_idx: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    size = len(brand_idx)
    brand_premium = rng.lognormal(0.0, 0.18, len(profile.brands))[brand_idx]
    noise = np.exp(profile.price_sigma * np.clip(rng.standard_normal(size), -2.2, 2.2))
    factor = brand_premium * noise
    for attribute, idx in zip(profile.attributes, attribute_idx):
        if attribute.price_factors is not None:
            factor = factor * np.asarray(attribute.price_factors)[idx]
    packaging = profile.packaging
    if packaging is None:
        raw = profile.price_median * factor
    else:
        sizes = np.asarray(packaging.sizes, dtype=float)
        packs = np.asarray(packaging.packs, dtype=float)[pack_idx]
        bulk = (sizes[size_idx] / np.median(sizes)) ** packaging.size_elasticity * packs**-0.05
        units = _unit_counts(packaging, size_idx, pack_idx)
        raw = profile.price_median * factor * bulk * units / packaging.unit_amount
    return _round_shelf_prices(np.clip(raw, *profile.price_range), profile.round_unit, rng)


def _round_shelf_prices(raw: np.ndarray, round_unit: int, rng: np.random.Generator) -> np.ndarray:
    """Round to the category unit; about a third of prices >= 10,000 get a x,900 / xx9,000 ending."""
    price = np.maximum(np.round(raw / round_unit) * round_unit, 10 * round_unit)
    tier = np.where(price >= 100_000, 10_000, 1_000)
    charmed = np.round(price / tier) * tier - tier // 10
    use_charm = (rng.random(len(price)) < 0.35) & (price >= 10_000)
    return np.where(use_charm, charmed, price).astype(np.int64)


def _history_step(price: np.ndarray, round_unit: int) -> np.ndarray:
    return np.where(price < 10_000, round_unit, np.where(price < 100_000, 100, 1_000))


def _price_history_matrix(price: np.ndarray, round_unit: int, rng: np.random.Generator) -> np.ndarray:
    """Six monthly prices (oldest first) ending at `price`: flat, falling, rising or volatile, plus promotions."""
    size = len(price)
    months = len(HISTORY_MONTHS) - 1
    regime = rng.choice(4, size=size, p=[0.45, 0.30, 0.15, 0.10])  # flat, falling, rising, volatile
    change_probability = np.array([0.08, 0.5, 0.4, 0.6])[regime][:, None]
    changes = rng.random((size, months)) < change_probability
    magnitude = rng.uniform(0.01, 0.05, (size, months)) * np.where(regime == 3, 2.0, 1.0)[:, None]
    random_sign = np.where(rng.random((size, months)) < 0.5, -1.0, 1.0)
    trend_sign = np.select([regime == 1, regime == 2], [-1.0, 1.0], default=0.0)[:, None]
    sign = np.where(trend_sign == 0.0, random_sign, trend_sign)
    log_steps = np.where(changes, sign * magnitude, 0.0)  # log(price[m + 1] / price[m])
    remaining = np.cumsum(log_steps[:, ::-1], axis=1)[:, ::-1]
    history = price[:, None] * np.exp(-remaining)

    promoted = np.flatnonzero(rng.random(size) < 0.08)
    promo_month = rng.integers(0, months, len(promoted))
    history[promoted, promo_month] *= rng.uniform(0.75, 0.9, len(promoted))
    unchanged = remaining == 0.0
    unchanged[promoted, promo_month] = False

    step = _history_step(price, round_unit)[:, None]
    rounded = np.maximum(np.round(history / step) * step, step).astype(np.int64)
    history = np.where(unchanged, price[:, None], rounded)
    return np.column_stack([history, price])


def _price_history_texts(price: np.ndarray, round_unit: int, rng: np.random.Generator) -> list[str]:
    matrix = _price_history_matrix(price, round_unit, rng)
    return ["|".join(f"{month}:{value}" for month, value in zip(HISTORY_MONTHS, row)) for row in matrix.tolist()]


def _unit_price_texts(
    packaging: Packaging | None, price: np.ndarray, size_idx: np.ndarray, pack_idx: np.ndarray
) -> list[str]:
    """Danawa unit price "100ml당 1,250원" = price / units x unit_amount, rounded half up; "" for items."""
    if packaging is None:
        return [""] * len(price)
    per_unit = np.floor(price * packaging.unit_amount / _unit_counts(packaging, size_idx, pack_idx) + 0.5)
    return [f"{packaging.unit_label}당 {value:,}원" for value in per_unit.astype(np.int64).tolist()]


# --------------------------------------------------------------------------------------------------
# Reviews
# --------------------------------------------------------------------------------------------------


def _draw_review_counts(
    profile: CategoryProfile, brand_idx: np.ndarray, price: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Heavy-tailed counts: log-normal around a brand-popularity-scaled median, with zero-review listings."""
    brand_count = len(profile.brands)
    popularity = ((np.arange(brand_count) + 1.0) ** -BRAND_POPULARITY_EXPONENT)[brand_idx]
    relative_popularity = popularity / np.exp(np.mean(np.log(popularity)))
    relative_price = price / np.median(price)
    log_median = np.log(profile.review_median) + np.log(relative_popularity) - 0.25 * np.log(relative_price)
    counts = np.ceil(np.exp(log_median + 1.2 * rng.standard_normal(len(price))))
    counts = np.clip(counts, 1, 300_000).astype(np.int64)

    counts[_pick_zero_review_listings(profile.zero_review_share, brand_idx, brand_count, rng)] = 0
    return counts


def _pick_zero_review_listings(
    share: float, brand_idx: np.ndarray, brand_count: int, rng: np.random.Generator
) -> np.ndarray:
    """Exactly round(share x n) listings without reviews, drawn more often from small brands.

    Weighted sampling without replacement (Efraimidis-Spirakis keys), so the category share is exact
    at every sample size.
    """
    obscurity = 0.5 + brand_idx / max(brand_count - 1, 1)
    keys = np.log(rng.random(len(brand_idx))) / obscurity
    zero_count = int(round(share * len(brand_idx)))
    return np.argsort(-keys, kind="stable")[:zero_count]


def _draw_rating_targets(profile: CategoryProfile, brand_idx: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Expected star mean per product: category level + brand quality + product noise."""
    brand_quality = rng.normal(0.0, 0.12, len(profile.brands))[brand_idx]
    product_noise = rng.normal(0.0, 0.25, len(brand_idx))
    return np.clip(profile.rating_mean + brand_quality + product_noise, 2.0, 4.83)


def _star_table(one_star_bump: float = 0.02) -> tuple[np.ndarray, np.ndarray]:
    """J-shaped star distributions (5 -> 1) indexed by their mean, for interpolation."""
    betas = np.linspace(-2.5, 4.5, 701)
    logits = betas[:, None] * STARS[None, :]
    softmax = np.exp(logits - logits.max(axis=1, keepdims=True))
    softmax /= softmax.sum(axis=1, keepdims=True)
    probabilities = (1.0 - one_star_bump) * softmax
    probabilities[:, -1] += one_star_bump
    return probabilities @ STARS, probabilities


_STAR_MEANS, _STAR_PROBABILITIES = _star_table()


def _star_probabilities(target_mean: np.ndarray) -> np.ndarray:
    """Probabilities of 5..1 stars whose mean is `target_mean` (row-wise, interpolated)."""
    position = np.interp(target_mean, _STAR_MEANS, np.arange(len(_STAR_MEANS)))
    lower = np.floor(position).astype(int)
    upper = np.minimum(lower + 1, len(_STAR_MEANS) - 1)
    weight = (position - lower)[:, None]
    probabilities = (1.0 - weight) * _STAR_PROBABILITIES[lower] + weight * _STAR_PROBABILITIES[upper]
    return probabilities / probabilities.sum(axis=1, keepdims=True)


def _rating_texts(stars: np.ndarray, review_count: np.ndarray) -> list[str]:
    """Weighted star mean rounded half up to one decimal (exact integer arithmetic); "" without reviews."""
    star_total = stars @ STARS
    safe_count = np.maximum(review_count, 1)
    tenths = (20 * star_total + safe_count) // (2 * safe_count)
    return [
        f"{value // 10}.{value % 10}" if count > 0 else ""
        for value, count in zip(tenths.tolist(), review_count.tolist())
    ]


def _star_count_texts(stars: np.ndarray, reviewed: np.ndarray) -> list[str]:
    labels = [f"{star}:" for star in STARS.tolist()]
    return [
        "|".join(label + str(count) for label, count in zip(labels, row)) if has_reviews else ""
        for row, has_reviews in zip(stars.tolist(), reviewed.tolist())
    ]


def _channel_texts(profile: CategoryProfile, review_count: np.ndarray, rng: np.random.Generator) -> list[str]:
    """Reviews split over shopping channels: category mix, per-product Dirichlet jitter, largest first."""
    base = np.asarray(profile.channel_weights, dtype=float)
    active = np.flatnonzero(base > 0)
    shares = base[active] / base[active].sum()
    draws = rng.gamma(8.0 * shares, size=(len(review_count), len(active)))
    probabilities = draws / draws.sum(axis=1, keepdims=True)
    counts = rng.multinomial(review_count, probabilities)
    names = np.asarray(CHANNELS, dtype=object)[active]
    return _format_ranked_counts(names, counts, counts > 0)


def _tag_texts(
    profile: CategoryProfile, review_count: np.ndarray, target_mean: np.ndarray, rng: np.random.Generator
) -> list[str]:
    """3-6 review keywords with mention counts (each <= review_count); complaints surface on low ratings."""
    size = len(review_count)
    positive = len(profile.positive_tags)
    negative = len(profile.negative_tags)
    names = np.asarray(profile.positive_tags + profile.negative_tags, dtype=object)

    positive_weight = (np.arange(positive) + 1.0) ** -0.6
    complaint_level = 0.25 * ((5.0 - target_mean) / 0.6) ** 2
    log_weights = np.concatenate(
        [
            np.broadcast_to(np.log(positive_weight), (size, positive)),
            np.broadcast_to(np.log(complaint_level)[:, None] - 0.3 * np.arange(negative), (size, negative)),
        ],
        axis=1,
    )
    ranked = np.argsort(-(log_weights + rng.gumbel(size=log_weights.shape)), axis=1, kind="stable")[:, :MAX_TAGS]

    base_rate = np.concatenate([0.45 * positive_weight, np.full(negative, 0.06)])
    rates = base_rate[ranked] * rng.lognormal(0.0, 0.35, ranked.shape)
    rates = np.where(ranked >= positive, rates * np.sqrt(complaint_level)[:, None] * 2.0, rates)
    mentions = rng.binomial(review_count[:, None], np.clip(rates, 0.005, 0.95))
    mentions = np.minimum(np.maximum(mentions, 1), review_count[:, None])

    tag_count = np.clip(2 + np.ceil(1.2 * np.log10(review_count + 1.0)), MIN_TAGS, MAX_TAGS).astype(int)
    keep = (np.arange(MAX_TAGS)[None, :] < tag_count[:, None]) & (review_count[:, None] > 0)
    return _format_ranked_counts(names[ranked], mentions, keep, per_row_labels=True)


def _format_ranked_counts(
    labels: np.ndarray, counts: np.ndarray, keep: np.ndarray, per_row_labels: bool = False
) -> list[str]:
    """ "a:3|b:2" per row: kept entries, largest count first (ties keep column order); "" if none kept."""
    order = np.argsort(np.where(keep, -counts, 1), axis=1, kind="stable")
    sorted_counts = np.take_along_axis(counts, order, axis=1).tolist()
    sorted_keep = np.take_along_axis(keep, order, axis=1).tolist()
    sorted_labels = np.take_along_axis(labels, order, axis=1).tolist() if per_row_labels else labels[order].tolist()
    return [
        "|".join(f"{label}:{count}" for label, count, kept in zip(row_labels, row_counts, row_keep) if kept)
        for row_labels, row_counts, row_keep in zip(sorted_labels, sorted_counts, sorted_keep)
    ]


# --------------------------------------------------------------------------------------------------
# Names and specifications
# --------------------------------------------------------------------------------------------------


def format_amount(value: int, measure: str) -> str:
    """550 ml -> "550ml", 1500 ml -> "1.5L", 2270 g -> "2.27kg", 52 매 -> "52매"."""
    if measure in ("ml", "g") and value >= 1000:
        big_unit = "L" if measure == "ml" else "kg"
        return f"{value / 1000:.2f}".rstrip("0").rstrip(".") + big_unit
    return f"{value}{measure}"


def _packaging_texts(packaging: Packaging, size_idx: np.ndarray, pack_idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    sizes = np.asarray([format_amount(value, packaging.measure) for value in packaging.sizes], dtype=object)
    packs = np.asarray([f"{value}{packaging.pack_word}" for value in packaging.packs], dtype=object)
    return sizes[size_idx], packs[pack_idx]


def _product_names(
    profile: CategoryProfile,
    brand_idx: np.ndarray,
    line_idx: np.ndarray,
    attribute_idx: list[np.ndarray],
    size_idx: np.ndarray,
    pack_idx: np.ndarray,
    rng: np.random.Generator,
) -> list[str]:
    """brand + line (+ model) + name-worthy specs + noun + size + pack count when more than one."""
    size = len(brand_idx)
    empty = np.full(size, "", dtype=object)
    parts = [np.asarray(profile.brands, dtype=object)[brand_idx], np.asarray(profile.lines, dtype=object)[line_idx]]
    if profile.model_suffixes:
        suffix_idx = rng.integers(0, len(profile.model_suffixes), size)
        parts.append(np.asarray(profile.model_suffixes, dtype=object)[suffix_idx])
    named = [(attribute, idx) for attribute, idx in zip(profile.attributes, attribute_idx) if attribute.in_name]
    if profile.name_keys:
        named.sort(key=lambda pair: profile.name_keys.index(pair[0].key))
    parts += [np.asarray(attribute.values, dtype=object)[idx] for attribute, idx in named]
    parts.append(np.full(size, profile.noun, dtype=object))
    if profile.packaging is not None:
        size_text, pack_text = _packaging_texts(profile.packaging, size_idx, pack_idx)
        packs = np.asarray(profile.packaging.packs)[pack_idx]
        parts += [size_text, np.where(packs > 1, pack_text, empty)]
    return [" ".join(part for part in row if part) for row in zip(*parts)]


def _specification_texts(
    profile: CategoryProfile, attribute_idx: list[np.ndarray], size_idx: np.ndarray, pack_idx: np.ndarray
) -> list[str]:
    """ "key: value / key: value": first attribute, then size and pack count, then the other attributes."""
    fields = [_key_values(attribute, idx) for attribute, idx in zip(profile.attributes, attribute_idx)]
    flat = [column for group in fields for column in group]
    if profile.packaging is not None:
        size_text, pack_text = _packaging_texts(profile.packaging, size_idx, pack_idx)
        packaging_fields = [profile.packaging.size_key + ": " + size_text, "구성: " + pack_text]
        flat = fields[0] + packaging_fields + [column for group in fields[1:] for column in group]
    return [" / ".join(row) for row in zip(*flat)]


def _key_values(attribute: Attribute, idx: np.ndarray) -> list[np.ndarray]:
    columns = [np.asarray([f"{attribute.key}: {value}" for value in attribute.values], dtype=object)[idx]]
    if attribute.linked is not None:
        linked_key, linked_values = attribute.linked
        columns.append(np.asarray([f"{linked_key}: {value}" for value in linked_values], dtype=object)[idx])
    return columns

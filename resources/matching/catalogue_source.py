"""The producers and labels `data/items.csv` is built from: real wine and spirits houses as Korean importers spell them.

Each `Producer` has its Korean and English name, a country, a category and labels (Korean, English).
An item is producer + label; `assets`-side code never edits this list, `build_items` in
`resources.matching.items` turns it into the item master with invented prices.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Producer:
    """A house and the labels the catalogue carries from it."""

    ko: str
    en: str
    category: str
    labels: tuple[tuple[str, str], ...]


CS = ("까베르네 소비뇽", "Cabernet Sauvignon")
ME = ("메를로", "Merlot")
PN = ("피노 누아", "Pinot Noir")
SH = ("쉬라즈", "Shiraz")
CH = ("샤르도네", "Chardonnay")
SB = ("소비뇽 블랑", "Sauvignon Blanc")
RI = ("리슬링", "Riesling")
MB = ("말벡", "Malbec")
CA = ("까르메네르", "Carmenere")
ZI = ("진판델", "Zinfandel")
PG = ("피노 그리지오", "Pinot Grigio")
MO = ("모스카토", "Moscato")


def _with(prefix: tuple[str, str], *varietals: tuple[str, str]) -> tuple[tuple[str, str], ...]:
    """Labels `prefix + varietal` for each varietal (e.g. 리저브 까베르네 소비뇽)."""
    return tuple((f"{prefix[0]} {v[0]}".strip(), f"{prefix[1]} {v[1]}".strip()) for v in varietals)


NONE = ("", "")
RED, WHITE, SPARK, ROSE = "레드와인", "화이트와인", "스파클링와인", "로제와인"
WHISKY, COGNAC, VODKA, GIN, RUM, TEQUILA, LIQUEUR, SAKE = (
    "위스키",
    "꼬냑/브랜디",
    "보드카",
    "진",
    "럼",
    "데킬라",
    "리큐르",
    "사케",
)

PRODUCERS: tuple[Producer, ...] = (
    Producer(
        "레이크 찰리스",
        "Lake Chalice",
        WHITE,
        (
            ("말보로 소비뇽 블랑", "Marlborough Sauvignon Blanc"),
            ("더 팔콘 피노 누아", "The Falcon Pinot Noir"),
            ("더 팔콘 샤르도네", "The Falcon Chardonnay"),
            ("더 네스트 리슬링", "The Nest Riesling"),
        ),
    ),
    Producer("클라우디 베이", "Cloudy Bay", WHITE, (SB, CH, PN, ("테코코 소비뇽 블랑", "Te Koko Sauvignon Blanc"))),
    Producer(
        "빌라 마리아",
        "Villa Maria",
        WHITE,
        (
            ("프라이빗 빈 말보로 소비뇽 블랑", "Private Bin Marlborough Sauvignon Blanc"),
            ("프라이빗 빈 피노 누아", "Private Bin Pinot Noir"),
            ("셀러 셀렉션 샤르도네", "Cellar Selection Chardonnay"),
            ("프라이빗 빈 로제", "Private Bin Rose"),
        ),
    ),
    Producer("킴 크로포드", "Kim Crawford", WHITE, (SB, PN, ("로제", "Rose"))),
    Producer("오이스터 베이", "Oyster Bay", WHITE, (SB, CH, PN, ME)),
    Producer(
        "찰스 하이직",
        "Charles Heidsieck",
        SPARK,
        (
            ("브뤼 리저브", "Brut Reserve"),
            ("로제 리저브", "Rose Reserve"),
            ("블랑 데 블랑", "Blanc de Blancs"),
        ),
    ),
    Producer(
        "모엣 샹동",
        "Moet & Chandon",
        SPARK,
        (
            ("임페리얼 브뤼", "Imperial Brut"),
            ("로제 임페리얼", "Rose Imperial"),
            ("넥타 임페리얼", "Nectar Imperial"),
        ),
    ),
    Producer("뵈브 클리코", "Veuve Clicquot", SPARK, (("옐로 라벨 브뤼", "Yellow Label Brut"), ("로제", "Rose"))),
    Producer("돔 페리뇽", "Dom Perignon", SPARK, (("빈티지", "Vintage"), ("로제 빈티지", "Rose Vintage"))),
    Producer("떼땅져", "Taittinger", SPARK, (("브뤼 레제르브", "Brut Reserve"), ("프레스티지 로제", "Prestige Rose"))),
    Producer("볼랭저", "Bollinger", SPARK, (("스페셜 뀌베", "Special Cuvee"), ("로제", "Rose"))),
    Producer("마르티니", "Martini", SPARK, (("아스티", "Asti"), ("프로세코", "Prosecco"), ("로제", "Rose"))),
    Producer(
        "프레시넷",
        "Freixenet",
        SPARK,
        (
            ("코돈 네그로 브뤼", "Cordon Negro Brut"),
            ("이탈리안 프로세코", "Italian Prosecco"),
            ("로제", "Rose"),
        ),
    ),
    Producer("샤또 마고", "Chateau Margaux", RED, (NONE, ("파비용 루즈", "Pavillon Rouge"))),
    Producer("샤또 라투르", "Chateau Latour", RED, (NONE, ("레 포르 드 라투르", "Les Forts de Latour"))),
    Producer("샤또 딸보", "Chateau Talbot", RED, (NONE, ("코네따블 딸보", "Connetable Talbot"))),
    Producer(
        "샤또 그뤼오 라로즈",
        "Chateau Gruaud Larose",
        RED,
        (NONE, ("사르제 드 그뤼오 라로즈", "Sarget de Gruaud Larose")),
    ),
    Producer("샤또 린치 바쥬", "Chateau Lynch Bages", RED, (NONE, ("에코 드 린치 바쥬", "Echo de Lynch Bages"))),
    Producer("샤또 몽페라", "Chateau Mont Perat", RED, (("루즈", "Rouge"), ("블랑", "Blanc"))),
    Producer(
        "무똥 까데", "Mouton Cadet", RED, (("루즈", "Rouge"), ("블랑", "Blanc"), ("리저브 메독", "Reserve Medoc"))
    ),
    Producer(
        "루이 라뚜르",
        "Louis Latour",
        RED,
        (
            ("부르고뉴 피노 누아", "Bourgogne Pinot Noir"),
            ("샤블리", "Chablis"),
            ("마콩 빌라주", "Macon Villages"),
            ("코르통 샤를마뉴", "Corton Charlemagne"),
        ),
    ),
    Producer(
        "조셉 드루앵",
        "Joseph Drouhin",
        RED,
        (
            ("라포레 부르고뉴 피노 누아", "Laforet Bourgogne Pinot Noir"),
            ("샤블리", "Chablis"),
            ("본 끌로 데 무슈", "Beaune Clos des Mouches"),
        ),
    ),
    Producer(
        "루이 자도",
        "Louis Jadot",
        RED,
        (
            ("부르고뉴 피노 누아", "Bourgogne Pinot Noir"),
            ("보졸레 빌라주", "Beaujolais Villages"),
            ("샤블리", "Chablis"),
        ),
    ),
    Producer(
        "이 기갈",
        "E. Guigal",
        RED,
        (
            ("꼬뜨 뒤 론 루즈", "Cotes du Rhone Rouge"),
            ("꼬뜨 뒤 론 블랑", "Cotes du Rhone Blanc"),
            ("샤또네프 뒤 파프", "Chateauneuf du Pape"),
            ("크로즈 에르미타주", "Crozes Hermitage"),
        ),
    ),
    Producer(
        "엠 샤푸티에",
        "M. Chapoutier",
        RED,
        (("벨르뤼슈 꼬뜨 뒤 론", "Belleruche Cotes du Rhone"), ("라 시보와즈", "La Ciboise")),
    ),
    Producer("트림바크", "Trimbach", WHITE, (RI, ("게뷔르츠트라미너", "Gewurztraminer"), ("피노 블랑", "Pinot Blanc"))),
    Producer(
        "닥터 루젠",
        "Dr. Loosen",
        WHITE,
        (("닥터 엘 리슬링", "Dr. L Riesling"), ("블루 슬레이트 리슬링", "Blue Slate Riesling")),
    ),
    Producer(
        "안티노리",
        "Antinori",
        RED,
        (
            ("티냐넬로", "Tignanello"),
            ("빌라 안티노리 로쏘", "Villa Antinori Rosso"),
            ("페포리 키안티 클라시코", "Peppoli Chianti Classico"),
            ("산타 크리스티나", "Santa Cristina"),
        ),
    ),
    Producer(
        "반피",
        "Banfi",
        RED,
        (
            ("브루넬로 디 몬탈치노", "Brunello di Montalcino"),
            ("키안티 클라시코", "Chianti Classico"),
            ("로쏘 디 몬탈치노", "Rosso di Montalcino"),
        ),
    ),
    Producer(
        "테누타 산 귀도",
        "Tenuta San Guido",
        RED,
        (("사시카이아", "Sassicaia"), ("귀달베르토", "Guidalberto"), ("레 디페제", "Le Difese")),
    ),
    Producer(
        "마쩨이",
        "Mazzei",
        RED,
        (("폰테루톨리 키안티 클라시코", "Fonterutoli Chianti Classico"), ("벨구아르도", "Belguardo")),
    ),
    Producer("간치아", "Gancia", SPARK, (("아스티 스푸만테", "Asti Spumante"), ("프로세코 브뤼", "Prosecco Brut"), MO)),
    Producer(
        "미켈레 끼아를로",
        "Michele Chiarlo",
        RED,
        (("바롤로 토르토니아노", "Barolo Tortoniano"), ("니볼레 모스카토 다스티", "Nivole Moscato d'Asti")),
    ),
    Producer(
        "토레스",
        "Torres",
        RED,
        (
            ("상그레 데 토로", "Sangre de Toro"),
            ("그란 코로나스 까베르네 소비뇽", "Gran Coronas Cabernet Sauvignon"),
            ("비냐 솔", "Vina Sol"),
            ("셀레스테 크리안자", "Celeste Crianza"),
        ),
    ),
    Producer(
        "마르케스 데 리스칼",
        "Marques de Riscal",
        RED,
        (("리제르바", "Reserva"), ("그란 리제르바", "Gran Reserva"), ("루에다 베르데호", "Rueda Verdejo")),
    ),
    Producer("보데가스 무가", "Bodegas Muga", RED, (("리제르바", "Reserva"), ("프라도 엔레아", "Prado Enea"))),
    Producer(
        "몬테스",
        "Montes",
        RED,
        (
            ("알파 까베르네 소비뇽", "Alpha Cabernet Sauvignon"),
            ("알파 샤르도네", "Alpha Chardonnay"),
            ("알파 말벡", "Alpha Malbec"),
            ("알파 엠", "Alpha M"),
            ("퍼플 엔젤", "Purple Angel"),
            ("폴리 쉬라", "Folly Syrah"),
            ("클래식 메를로", "Classic Merlot"),
            ("클래식 까베르네 소비뇽", "Classic Cabernet Sauvignon"),
        ),
    ),
    Producer(
        "콘차 이 토로",
        "Concha y Toro",
        RED,
        (
            ("까시예로 델 디아블로 까베르네 소비뇽", "Casillero del Diablo Cabernet Sauvignon"),
            ("까시예로 델 디아블로 메를로", "Casillero del Diablo Merlot"),
            ("까시예로 델 디아블로 샤르도네", "Casillero del Diablo Chardonnay"),
            ("까시예로 델 디아블로 까르메네르", "Casillero del Diablo Carmenere"),
            ("돈 멜초", "Don Melchor"),
            ("마르께스 데 까사 콘차 까베르네 소비뇽", "Marques de Casa Concha Cabernet Sauvignon"),
        ),
    ),
    Producer(
        "산타 리타",
        "Santa Rita",
        RED,
        (
            ("120 까베르네 소비뇽", "120 Cabernet Sauvignon"),
            ("120 메를로", "120 Merlot"),
            ("메달야 레알 까르메네르", "Medalla Real Carmenere"),
        ),
    ),
    Producer(
        "에라주리즈",
        "Errazuriz",
        RED,
        (
            ("맥스 리저바 까베르네 소비뇽", "Max Reserva Cabernet Sauvignon"),
            ("돈 막시미아노", "Don Maximiano"),
            ("에스테이트 까르메네르", "Estate Carmenere"),
        ),
    ),
    Producer(
        "코노 수르",
        "Cono Sur",
        RED,
        (
            ("비씨클레타 피노 누아", "Bicicleta Pinot Noir"),
            ("비씨클레타 까베르네 소비뇽", "Bicicleta Cabernet Sauvignon"),
            ("비씨클레타 소비뇽 블랑", "Bicicleta Sauvignon Blanc"),
        ),
    ),
    Producer("알마비바", "Almaviva", RED, (NONE, ("에푸", "Epu"))),
    Producer("카테나", "Catena", RED, (("말벡", "Malbec"), ("알타 말벡", "Alta Malbec"), ("샤르도네", "Chardonnay"))),
    Producer(
        "트라피체",
        "Trapiche",
        RED,
        (("오크 캐스크 말벡", "Oak Cask Malbec"), ("브로켈 말벡", "Broquel Malbec"), ("퓨어 말벡", "Pure Malbec")),
    ),
    Producer(
        "로버트 몬다비",
        "Robert Mondavi",
        RED,
        (
            ("나파 밸리 까베르네 소비뇽", "Napa Valley Cabernet Sauvignon"),
            ("우드브리지 까베르네 소비뇽", "Woodbridge Cabernet Sauvignon"),
            ("우드브리지 샤르도네", "Woodbridge Chardonnay"),
            ("푸메 블랑", "Fume Blanc"),
            ("프라이빗 셀렉션 메를로", "Private Selection Merlot"),
        ),
    ),
    Producer(
        "베린저",
        "Beringer",
        RED,
        (
            ("파운더스 에스테이트 까베르네 소비뇽", "Founders Estate Cabernet Sauvignon"),
            ("나파 밸리 샤르도네", "Napa Valley Chardonnay"),
            ("화이트 진판델", "White Zinfandel"),
        ),
    ),
    Producer(
        "켄달 잭슨",
        "Kendall Jackson",
        WHITE,
        (
            ("빈트너스 리저브 샤르도네", "Vintners Reserve Chardonnay"),
            ("빈트너스 리저브 까베르네 소비뇽", "Vintners Reserve Cabernet Sauvignon"),
            ("빈트너스 리저브 피노 누아", "Vintners Reserve Pinot Noir"),
        ),
    ),
    Producer(
        "케이머스",
        "Caymus",
        RED,
        (
            ("나파 밸리 까베르네 소비뇽", "Napa Valley Cabernet Sauvignon"),
            ("코넌드럼 레드 블렌드", "Conundrum Red Blend"),
        ),
    ),
    Producer("오퍼스 원", "Opus One", RED, (NONE, ("오버추어", "Overture"))),
    Producer("조쉬 셀러스", "Josh Cellars", RED, (CS, CH, ("레전더리 레드 블렌드", "Legendary Red Blend"), PN)),
    Producer(
        "19 크라임스",
        "19 Crimes",
        RED,
        (
            ("레드 블렌드", "Red Blend"),
            ("스눕 캘리 레드", "Snoop Cali Red"),
            ("더 배니시드 까베르네 소비뇽", "The Banished Cabernet Sauvignon"),
        ),
    ),
    Producer("옐로우 테일", "Yellow Tail", RED, (SH, CH, ME, MO, CS, ("버블스", "Bubbles"))),
    Producer(
        "펜폴즈",
        "Penfolds",
        RED,
        (
            ("빈 389 까베르네 쉬라즈", "Bin 389 Cabernet Shiraz"),
            ("빈 407 까베르네 소비뇽", "Bin 407 Cabernet Sauvignon"),
            ("빈 28 쉬라즈", "Bin 28 Shiraz"),
            ("쿠눙가 힐 쉬라즈 까베르네", "Koonunga Hill Shiraz Cabernet"),
            ("맥스 쉬라즈", "Max's Shiraz"),
            ("그랜지", "Grange"),
        ),
    ),
    Producer(
        "제이콥스 크릭",
        "Jacob's Creek",
        RED,
        (
            ("클래식 쉬라즈 까베르네", "Classic Shiraz Cabernet"),
            ("클래식 샤르도네", "Classic Chardonnay"),
            ("리저브 쉬라즈", "Reserve Shiraz"),
            MO,
        ),
    ),
    Producer(
        "울프 블라스",
        "Wolf Blass",
        RED,
        (
            ("옐로우 라벨 쉬라즈", "Yellow Label Shiraz"),
            ("레드 라벨 쉬라즈 까베르네", "Red Label Shiraz Cabernet"),
            ("골드 라벨 샤르도네", "Gold Label Chardonnay"),
        ),
    ),
    Producer(
        "투핸즈",
        "Two Hands",
        RED,
        (("엔젤스 셰어 쉬라즈", "Angels' Share Shiraz"), ("날리 듀즈 쉬라즈", "Gnarly Dudes Shiraz")),
    ),
    Producer(
        "몰리두커",
        "Mollydooker",
        RED,
        (
            ("더 복서 쉬라즈", "The Boxer Shiraz"),
            ("블루 아이드 보이 쉬라즈", "Blue Eyed Boy Shiraz"),
            ("투 레프트 피트", "Two Left Feet"),
        ),
    ),
    Producer(
        "네더버그",
        "Nederburg",
        RED,
        (("더 와인마스터스 까베르네 소비뇽", "The Winemasters Cabernet Sauvignon"), ("피노타주", "Pinotage")),
    ),
    Producer(
        "글렌피딕",
        "Glenfiddich",
        WHISKY,
        (
            ("12년", "12 Year Old"),
            ("15년", "15 Year Old"),
            ("18년", "18 Year Old"),
            ("21년 그랑 레제르바", "21 Year Old Gran Reserva"),
        ),
    ),
    Producer(
        "맥캘란",
        "Macallan",
        WHISKY,
        (
            ("12년 쉐리 오크", "12 Year Old Sherry Oak"),
            ("12년 더블 캐스크", "12 Year Old Double Cask"),
            ("18년 쉐리 오크", "18 Year Old Sherry Oak"),
            ("15년 트리플 캐스크", "15 Year Old Triple Cask"),
        ),
    ),
    Producer(
        "발베니",
        "Balvenie",
        WHISKY,
        (
            ("12년 더블우드", "12 Year Old DoubleWood"),
            ("14년 캐리비안 캐스크", "14 Year Old Caribbean Cask"),
            ("21년 포트우드", "21 Year Old PortWood"),
        ),
    ),
    Producer(
        "글렌리벳",
        "Glenlivet",
        WHISKY,
        (
            ("12년", "12 Year Old"),
            ("15년 프렌치 오크", "15 Year Old French Oak"),
            ("18년", "18 Year Old"),
            ("파운더스 리저브", "Founder's Reserve"),
        ),
    ),
    Producer("라프로익", "Laphroaig", WHISKY, (("10년", "10 Year Old"), ("쿼터 캐스크", "Quarter Cask"))),
    Producer("라가불린", "Lagavulin", WHISKY, (("16년", "16 Year Old"), ("8년", "8 Year Old"))),
    Producer(
        "아드벡", "Ardbeg", WHISKY, (("10년", "10 Year Old"), ("우가달", "Uigeadail"), ("코리브레칸", "Corryvreckan"))
    ),
    Producer("탈리스커", "Talisker", WHISKY, (("10년", "10 Year Old"), ("스톰", "Storm"))),
    Producer(
        "조니워커",
        "Johnnie Walker",
        WHISKY,
        (
            ("레드 라벨", "Red Label"),
            ("블랙 라벨", "Black Label"),
            ("더블 블랙", "Double Black"),
            ("골드 라벨 리저브", "Gold Label Reserve"),
            ("블루 라벨", "Blue Label"),
            ("그린 라벨", "Green Label"),
        ),
    ),
    Producer(
        "발렌타인",
        "Ballantine's",
        WHISKY,
        (("파이니스트", "Finest"), ("17년", "17 Year Old"), ("21년", "21 Year Old"), ("30년", "30 Year Old")),
    ),
    Producer(
        "시바스 리갈",
        "Chivas Regal",
        WHISKY,
        (("12년", "12 Year Old"), ("18년", "18 Year Old"), ("25년", "25 Year Old"), ("미즈나라", "Mizunara")),
    ),
    Producer("로얄 살루트", "Royal Salute", WHISKY, (("21년 시그니처 블렌드", "21 Year Old Signature Blend"),)),
    Producer("몽키 숄더", "Monkey Shoulder", WHISKY, (NONE,)),
    Producer(
        "제임슨", "Jameson", WHISKY, (NONE, ("블랙 배럴", "Black Barrel"), ("캐스크메이트 스타우트", "Caskmates Stout"))
    ),
    Producer(
        "잭 다니엘",
        "Jack Daniel's",
        WHISKY,
        (
            ("올드 넘버 7", "Old No. 7"),
            ("허니", "Honey"),
            ("젠틀맨 잭", "Gentleman Jack"),
            ("싱글 배럴", "Single Barrel"),
        ),
    ),
    Producer("짐빔", "Jim Beam", WHISKY, (("화이트", "White"), ("블랙", "Black"), ("허니", "Honey"))),
    Producer("메이커스 마크", "Maker's Mark", WHISKY, (NONE, ("46", "46"))),
    Producer("버팔로 트레이스", "Buffalo Trace", WHISKY, (NONE,)),
    Producer("와일드 터키", "Wild Turkey", WHISKY, (("101", "101"), ("레어 브리드", "Rare Breed"))),
    Producer("우드포드 리저브", "Woodford Reserve", WHISKY, (("버번", "Bourbon"), ("더블 오크드", "Double Oaked"))),
    Producer(
        "산토리",
        "Suntory",
        WHISKY,
        (
            ("가쿠빈", "Kakubin"),
            ("히비키 하모니", "Hibiki Harmony"),
            ("야마자키 12년", "Yamazaki 12 Year Old"),
            ("하쿠슈 디스틸러스 리저브", "Hakushu Distiller's Reserve"),
            ("토키", "Toki"),
        ),
    ),
    Producer(
        "닛카",
        "Nikka",
        WHISKY,
        (
            ("프롬 더 배럴", "From the Barrel"),
            ("코페이 그레인", "Coffey Grain"),
            ("다케츠루 퓨어 몰트", "Taketsuru Pure Malt"),
        ),
    ),
    Producer("헤네시", "Hennessy", COGNAC, (("브이에스", "VS"), ("브이에스오피", "VSOP"), ("엑스오", "XO"))),
    Producer(
        "레미 마르땡",
        "Remy Martin",
        COGNAC,
        (("브이에스오피", "VSOP"), ("엑스오", "XO"), ("1738 어코드 로열", "1738 Accord Royal")),
    ),
    Producer(
        "마르텔", "Martell", COGNAC, (("브이에스", "VS"), ("브이에스오피", "VSOP"), ("코르동 블루", "Cordon Bleu"))
    ),
    Producer("까뮤", "Camus", COGNAC, (("브이에스오피", "VSOP"), ("엑스오 보더리", "XO Borderies"))),
    Producer("앱솔루트", "Absolut", VODKA, (NONE, ("시트론", "Citron"), ("만드린", "Mandrin"), ("엘릭스", "Elyx"))),
    Producer("그레이 구스", "Grey Goose", VODKA, (NONE, ("라 포아", "La Poire"), ("르 시트론", "Le Citron"))),
    Producer("스미노프", "Smirnoff", VODKA, (("레드", "Red"), ("그린 애플", "Green Apple"))),
    Producer("벨베디어", "Belvedere", VODKA, (NONE,)),
    Producer("케텔 원", "Ketel One", VODKA, (NONE,)),
    Producer("봄베이 사파이어", "Bombay Sapphire", GIN, (NONE, ("브램블", "Bramble"))),
    Producer(
        "탱커레이",
        "Tanqueray",
        GIN,
        (("런던 드라이", "London Dry"), ("넘버 텐", "No. Ten"), ("세비야 오렌지", "Sevilla Orange")),
    ),
    Producer("헨드릭스", "Hendrick's", GIN, (NONE, ("루나", "Lunar"))),
    Producer("비피터", "Beefeater", GIN, (("런던 드라이", "London Dry"), ("핑크 스트로베리", "Pink Strawberry"))),
    Producer("몽키 47", "Monkey 47", GIN, (("슈바르츠발트 드라이 진", "Schwarzwald Dry Gin"),)),
    Producer("로쿠", "Roku", GIN, (NONE,)),
    Producer(
        "바카디",
        "Bacardi",
        RUM,
        (("카르타 블랑카", "Carta Blanca"), ("카르타 네그라", "Carta Negra"), ("8년", "8 Year Old")),
    ),
    Producer("캡틴 모건", "Captain Morgan", RUM, (("스파이스드 골드", "Spiced Gold"), ("다크", "Dark"))),
    Producer("론 자카파", "Ron Zacapa", RUM, (("23 솔레라", "23 Solera"), ("엑스오", "XO"))),
    Producer(
        "호세 쿠엘보",
        "Jose Cuervo",
        TEQUILA,
        (
            ("에스페시알 골드", "Especial Gold"),
            ("에스페시알 실버", "Especial Silver"),
            ("트레디셔널 레포사도", "Tradicional Reposado"),
        ),
    ),
    Producer("패트론", "Patron", TEQUILA, (("실버", "Silver"), ("레포사도", "Reposado"), ("아네호", "Anejo"))),
    Producer("돈 훌리오", "Don Julio", TEQUILA, (("블랑코", "Blanco"), ("1942", "1942"))),
    Producer("예거마이스터", "Jagermeister", LIQUEUR, (NONE, ("콜드 브루 커피", "Cold Brew Coffee"))),
    Producer(
        "베일리스",
        "Baileys",
        LIQUEUR,
        (("오리지널 아이리시 크림", "Original Irish Cream"), ("솔티드 카라멜", "Salted Caramel")),
    ),
    Producer("깔루아", "Kahlua", LIQUEUR, (NONE,)),
    Producer("코인트로", "Cointreau", LIQUEUR, (NONE,)),
    Producer("디사론노", "Disaronno", LIQUEUR, (("오리지날레", "Originale"),)),
    Producer("아페롤", "Aperol", LIQUEUR, (NONE,)),
    Producer("캄파리", "Campari", LIQUEUR, (NONE,)),
    Producer(
        "닷사이",
        "Dassai",
        SAKE,
        (
            ("45 준마이 다이긴조", "45 Junmai Daiginjo"),
            ("23 준마이 다이긴조", "23 Junmai Daiginjo"),
            ("39 준마이 다이긴조", "39 Junmai Daiginjo"),
        ),
    ),
    Producer("쿠보타", "Kubota", SAKE, (("센쥬", "Senju"), ("만쥬", "Manju"), ("햐쿠쥬", "Hyakuju"))),
    Producer(
        "핫카이산", "Hakkaisan", SAKE, (("도쿠베츠 혼조조", "Tokubetsu Honjozo"), ("준마이 긴조", "Junmai Ginjo"))
    ),
    Producer("쿠로키리시마", "Kurokirishima", SAKE, (NONE,)),
    Producer("위스퍼링 엔젤", "Whispering Angel", ROSE, (("꼬뜨 드 프로방스 로제", "Cotes de Provence Rose"),)),
    Producer(
        "미라발",
        "Miraval",
        ROSE,
        (("꼬뜨 드 프로방스 로제", "Cotes de Provence Rose"), ("스튜디오 바이 미라발", "Studio by Miraval")),
    ),
    Producer("그랜트", "Grant's", WHISKY, (("트리플 우드", "Triple Wood"),)),
    Producer("윈저", "Windsor", WHISKY, (("12년", "12 Year Old"), ("17년", "17 Year Old"))),
    Producer("임페리얼", "Imperial", WHISKY, (("12년", "12 Year Old"), ("17년", "17 Year Old"))),
    Producer(
        "듀어스", "Dewar's", WHISKY, (("화이트 라벨", "White Label"), ("12년", "12 Year Old"), ("15년", "15 Year Old"))
    ),
    Producer("올드파", "Old Parr", WHISKY, (("12년", "12 Year Old"), ("18년", "18 Year Old"))),
    Producer(
        "카발란",
        "Kavalan",
        WHISKY,
        (("클래식", "Classic"), ("솔리스트 비노 바리끄", "Solist Vinho Barrique"), ("콘서트마스터", "Concertmaster")),
    ),
    Producer(
        "글렌모렌지",
        "Glenmorangie",
        WHISKY,
        (("오리지널 10년", "The Original 10 Year Old"), ("라산타 12년", "Lasanta 12 Year Old"), ("시그넷", "Signet")),
    ),
    Producer("더 글렌그란트", "Glen Grant", WHISKY, (("아보랄리스", "Arboralis"), ("10년", "10 Year Old"))),
    Producer("보모어", "Bowmore", WHISKY, (("12년", "12 Year Old"), ("15년", "15 Year Old"))),
    Producer("오반", "Oban", WHISKY, (("14년", "14 Year Old"),)),
    Producer(
        "생 클레어",
        "Saint Clair",
        WHITE,
        (
            ("말보로 소비뇽 블랑", "Marlborough Sauvignon Blanc"),
            ("오리진 피노 누아", "Origin Pinot Noir"),
            ("오리진 샤르도네", "Origin Chardonnay"),
        ),
    ),
    Producer(
        "브랑코트",
        "Brancott Estate",
        WHITE,
        (
            ("말보로 소비뇽 블랑", "Marlborough Sauvignon Blanc"),
            ("말보로 피노 누아", "Marlborough Pinot Noir"),
            ("말보로 샤르도네", "Marlborough Chardonnay"),
        ),
    ),
    Producer("도그 포인트", "Dog Point", WHITE, (SB, PN, ("섹션 94", "Section 94"))),
    Producer("코노 수르 트윈", "Cono Sur Twenty Barrels", RED, (PN, CS)),
    Producer(
        "비냐 마이포",
        "Vina Maipo",
        RED,
        (
            ("미 푸에블로 까베르네 소비뇽", "Mi Pueblo Cabernet Sauvignon"),
            ("비트랄 까르메네르", "Vitral Carmenere"),
            ("리저바 메를로", "Reserva Merlot"),
        ),
    ),
    Producer(
        "루피노",
        "Ruffino",
        RED,
        (
            ("키안티", "Chianti"),
            ("리제르바 두칼레 오로", "Riserva Ducale Oro"),
            ("프로세코", "Prosecco"),
            ("일 두칼레", "Il Ducale"),
        ),
    ),
    Producer(
        "자카리니",
        "Zaccagnini",
        RED,
        (("몬테풀치아노 다브루쪼", "Montepulciano d'Abruzzo"), ("트레비아노 다브루쪼", "Trebbiano d'Abruzzo")),
    ),
    Producer(
        "산 마르자노",
        "San Marzano",
        RED,
        (
            ("세싼따니 프리미티보 디 만두리아", "Sessantanni Primitivo di Manduria"),
            ("일 피오레 프리미티보", "Il Fiore Primitivo"),
            ("탈로 네그로아마로", "Talo Negroamaro"),
        ),
    ),
    Producer(
        "파스쿠아",
        "Pasqua",
        RED,
        (
            ("아마로네 델라 발폴리첼라", "Amarone della Valpolicella"),
            ("발폴리첼라 리파소", "Valpolicella Ripasso"),
            ("피노 그리지오", "Pinot Grigio"),
        ),
    ),
    Producer("베가 시실리아", "Vega Sicilia", RED, (("우니코", "Unico"), ("발부에나", "Valbuena"))),
    Producer(
        "보데가 노르톤",
        "Bodega Norton",
        RED,
        (
            ("리제르바 말벡", "Reserva Malbec"),
            ("바렐 셀렉트 말벡", "Barrel Select Malbec"),
            ("로블레 말벡", "Roble Malbec"),
        ),
    ),
    Producer(
        "슐로스 폴라즈",
        "Schloss Vollrads",
        WHITE,
        (("카비넷 리슬링", "Kabinett Riesling"), ("슈패트레제 리슬링", "Spatlese Riesling")),
    ),
    Producer(
        "블루 넌",
        "Blue Nun",
        WHITE,
        (("골드 에디션", "Gold Edition"), ("로제 골드 에디션", "Rose Gold Edition"), ("리슬링", "Riesling")),
    ),
    Producer(
        "도멘 드 라 로마네 콩티", "Domaine Romanee Conti", RED, (("에셰조", "Echezeaux"), ("리쉬부르", "Richebourg"))
    ),
    Producer("샤또 생 미셸", "Chateau Ste. Michelle", WHITE, (RI, CS, CH, ME)),
    Producer("엘 코토", "El Coto", RED, (("크리안자", "Crianza"), ("코토 데 이마스 리제르바", "Coto de Imaz Reserva"))),
    Producer(
        "진로", "Jinro", LIQUEUR, (("참이슬 후레쉬", "Chamisul Fresh"), ("일품", "Ilpum"), ("이즈 백", "Is Back"))
    ),
    Producer("화요", "Hwayo", LIQUEUR, (("17", "17"), ("25", "25"), ("41", "41"), ("엑스프리미엄", "X.Premium"))),
    Producer(
        "짐빔 하이볼", "Jim Beam Highball", WHISKY, (("레몬 캔", "Lemon Can"), ("그레이프프루트 캔", "Grapefruit Can"))
    ),
    Producer("커티삭", "Cutty Sark", WHISKY, (("오리지널", "Original"), ("프로히비션", "Prohibition"))),
    Producer("제이앤비", "J&B", WHISKY, (("레어", "Rare"),)),
    Producer("불릿", "Bulleit", WHISKY, (("버번", "Bourbon"), ("라이", "Rye"))),
    Producer("에반 윌리엄스", "Evan Williams", WHISKY, (("블랙 라벨", "Black Label"), ("싱글 배럴", "Single Barrel"))),
    Producer(
        "포 로지스",
        "Four Roses",
        WHISKY,
        (("버번", "Bourbon"), ("스몰 배치", "Small Batch"), ("싱글 배럴", "Single Barrel")),
    ),
    Producer("러셀 리저브", "Russell's Reserve", WHISKY, (("10년", "10 Year Old"), ("싱글 배럴", "Single Barrel"))),
    Producer("크라운 로열", "Crown Royal", WHISKY, (("디럭스", "Deluxe"), ("애플", "Regal Apple"))),
    Producer("쿠르부아지에", "Courvoisier", COGNAC, (("브이에스", "VS"), ("브이에스오피", "VSOP"), ("엑스오", "XO"))),
    Producer("시락", "Ciroc", VODKA, (NONE, ("피치", "Peach"), ("레드 베리", "Red Berry"))),
    Producer("스톨리치나야", "Stolichnaya", VODKA, (NONE, ("엘리트", "Elit"))),
    Producer("시타델", "Citadelle", GIN, (NONE, ("리저브", "Reserve"))),
    Producer("더 보타니스트", "The Botanist", GIN, (("아일라 드라이 진", "Islay Dry Gin"),)),
    Producer(
        "플랜테이션",
        "Plantation",
        RUM,
        (
            ("3 스타", "3 Stars"),
            ("스티긴스 팬시 파인애플", "Stiggins' Fancy Pineapple"),
            ("오리지널 다크", "Original Dark"),
        ),
    ),
    Producer(
        "디플로마티코", "Diplomatico", RUM, (("리제르바 엑스클루시바", "Reserva Exclusiva"), ("플라나스", "Planas"))
    ),
    Producer("카사미고스", "Casamigos", TEQUILA, (("블랑코", "Blanco"), ("레포사도", "Reposado"), ("아네호", "Anejo"))),
    Producer("말리부", "Malibu", LIQUEUR, (("오리지널", "Original"),)),
    Producer("잭 다니엘 하이볼", "Jack Daniel's Highball", WHISKY, (("콜라 캔", "Cola Can"),)),
    Producer("쿠로부네", "Kurobune", SAKE, (("준마이 다이긴조", "Junmai Daiginjo"),)),
)

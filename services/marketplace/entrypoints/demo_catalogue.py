"""A catalogue vocabulary of what social enterprises in Bulgaria offer, per category of the taxonomy:
products in Bulgarian and English, units, usual price ranges. Demo data and benchmarks draw from it."""

from __future__ import annotations

from services.marketplace.domain.listing import ListingKind

# category → (products: (Bulgarian, English), unit, price range in cents, kind)
VOCABULARY: dict[str, tuple[list[tuple[str, str]], str, tuple[int, int], ListingKind]] = {
    "food.honey": ([("мед", "honey"), ("липов мед", "linden honey"), ("манов мед", "honeydew honey"),
                    ("прополис", "propolis"), ("пчелен восък", "beeswax"), ("мед с орехи", "honey with walnuts")],
                   "буркан", (600, 2500), ListingKind.PRODUCT),
    "food.bakery": ([("хляб", "bread"), ("пълнозърнест хляб", "wholegrain bread"), ("козунак", "sweet bread"),
                     ("баница", "banitsa"), ("торта", "cake"), ("курабийки", "biscuits"), ("погача", "round loaf")],
                    "брой", (150, 4500), ListingKind.PRODUCT),
    "food.preserves": ([("лютеница", "lyutenitsa"), ("сладко от смокини", "fig jam"), ("мармалад", "marmalade"),
                        ("туршия", "pickles"), ("компот", "compote")], "буркан", (350, 1200), ListingKind.PRODUCT),
    "food.dairy": ([("сирене", "white cheese"), ("кашкавал", "yellow cheese"), ("кисело мляко", "yoghurt")],
                   "кг", (500, 2200), ListingKind.PRODUCT),
    "crafts.ceramics": ([("керамична чаша", "ceramic mug"), ("троянска керамика", "Troyan pottery"),
                         ("гърне", "clay pot"), ("ваза", "vase")], "брой", (800, 6000), ListingKind.PRODUCT),
    "crafts.woodwork": ([("дървена играчка", "wooden toy"), ("дъска за рязане", "cutting board"),
                         ("табуретка", "stool"), ("рамка за снимки", "photo frame")], "брой", (900, 12000),
                        ListingKind.PRODUCT),
    "crafts.basketry": ([("плетена кошница", "woven basket"), ("кошници от ракита", "willow baskets"),
                         ("подаръчна кошница", "gift basket")], "брой", (1200, 7000), ListingKind.PRODUCT),
    "crafts.souvenirs": ([("сувенир", "souvenir"), ("мартеници", "martenitsi"), ("магнит", "fridge magnet"),
                          ("ароматен сапун", "scented soap"), ("свещи от пчелен восък", "beeswax candles")],
                         "брой", (200, 2500), ListingKind.PRODUCT),
    "textiles.workwear": ([("работно облекло", "workwear"), ("престилки", "aprons"), ("униформи", "uniforms"),
                           ("медицински облекла", "medical scrubs")], "брой", (1500, 6500), ListingKind.PRODUCT),
    "textiles.tailoring": ([("шивашки услуги", "tailoring"), ("поправка на дрехи", "clothes repair"),
                            ("ушиване на завеси", "curtain sewing")], "час", (1000, 3000), ListingKind.SERVICE),
    "textiles.knitwear": ([("плетени чорапи", "knitted socks"), ("шал", "scarf"), ("плетена жилетка", "cardigan")],
                          "брой", (900, 8000), ListingKind.PRODUCT),
    "printing.offset": ([("печат на визитки", "business cards"), ("печат на брошури", "brochure printing"),
                         ("плакати", "posters"), ("календари", "calendars")], "100 бр.", (1500, 9000),
                        ListingKind.SERVICE),
    "printing.binding": ([("подвързване", "bookbinding"), ("ламиниране", "laminating")], "брой", (200, 1500),
                         ListingKind.SERVICE),
    "cleaning.offices": ([("почистване на офиси", "office cleaning"), ("почистване на входове", "stairwell cleaning"),
                          ("основно почистване", "deep cleaning")], "м²", (80, 400), ListingKind.SERVICE),
    "cleaning.green_areas": ([("озеленяване", "landscaping"), ("косене на трева", "lawn mowing"),
                              ("поддръжка на паркове", "park maintenance")], "дка", (2000, 9000), ListingKind.SERVICE),
    "catering.events": ([("кетъринг за събития", "event catering"), ("кафе пауза", "coffee break"),
                         ("коктейл", "reception")], "човек", (800, 3500), ListingKind.SERVICE),
    "catering.school_meals": ([("ученически обяд", "school lunch"), ("топъл обяд", "hot lunch")], "порция",
                              (300, 700), ListingKind.SERVICE),
    "it.web": ([("уеб сайт", "website"), ("онлайн магазин", "online shop"), ("поддръжка на сайт", "site upkeep")],
               "проект", (40000, 300000), ListingKind.SERVICE),
    "it.data_entry": ([("въвеждане на данни", "data entry"), ("дигитализация на архив", "archive digitisation"),
                       ("сканиране на документи", "document scanning")], "час", (900, 2500), ListingKind.SERVICE),
    "it.repair": ([("ремонт на компютри", "computer repair"), ("рециклиране на техника", "e-waste recycling")],
                  "брой", (2000, 9000), ListingKind.SERVICE),
    "care.elderly": ([("домашен помощник", "home help"), ("грижа за възрастни", "elderly care"),
                      ("доставка на храна по домовете", "meals on wheels")], "час", (600, 1500), ListingKind.SERVICE),
    "care.children": ([("детска занималня", "after-school club"), ("летен лагер", "summer camp")], "ден",
                      (1500, 4000), ListingKind.SERVICE),
}  # fmt: skip
QUALITIES = ["домашен", "ръчно изработен", "традиционен", "био", "натурален", "качествен", "местен", "сезонен"]
PROMISES = [
    "Изработено от екипа на социалното предприятие, в което работят хора с увреждания.",
    "Всяка поръчка дава работа на младежи, напуснали социални институции.",
    "Доставяме в срок, с фактура, и за общини, и за фирми.",
    "Работим с местни суровини от малки стопанства в региона.",
    "Приемаме поръчки за корпоративни подаръци и събития.",
    "Подходящо за обществени поръчки със запазен дял за социални предприятия.",
]
TAGS = ["подарък", "корпоративни подаръци", "бърза доставка", "ръчна изработка", "на едро", "био", "местно", "еко"]

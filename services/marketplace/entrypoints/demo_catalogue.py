# ruff: noqa: E501  (a table: one product a line reads better than one field a line)
"""What the demo enterprises sell, and a vocabulary per category for the benchmarks.

``SHOPS`` holds the listings of each demo enterprise of the register (by its name), written to fit its
trade: the bakery sells bread, the sewing workshop aprons and bags, the IT enterprise repairs computers.
A few carry a photo, drawn at load time (``demo_pictures``). An enterprise the demo does not know is
given the products of the first trade its register entry names (``TRADES``, by words of its activities
and name), and nothing when none fits: no yoghurt from a tailoring workshop.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.marketplace.domain.listing import ListingKind

PRODUCT, SERVICE = ListingKind.PRODUCT, ListingKind.SERVICE


@dataclass(frozen=True)
class Product:
    title_bg: str
    title_en: str
    description_bg: str
    category: str
    price_cents: int | None
    """None: price on request."""
    unit: str
    kind: ListingKind = PRODUCT
    minimum_quantity: int = 1
    tags: tuple[str, ...] = ()
    photo: tuple[str, str] | None = None
    """A motif of ``demo_pictures`` and what the photo shows (its alternative text)."""


P = Product
SHOPS: dict[str, list[Product]] = {
    "Сдружение „Дунавски занаяти“": [
        P("Троянска керамика: гърне с капки глазура", "Glazed clay pot", "Ръчно изработено гърне от червена глина с традиционна троянска украса, 1,5 л. Подходящо за печене и за подарък.", "crafts.ceramics", 3200, "брой", tags=("подарък", "ръчна изработка"), photo=("ceramics", "Глинено гърне с капки глазура и две керамични чаши на дървена маса")),
        P("Тъкана чанта с видински мотиви", "Hand-woven tote bag", "Памучна чанта, тъкана на стан в работилницата ни, с дръжки от естествена кожа.", "crafts.souvenirs", 2400, "брой", tags=("подарък",)),
        P("Керамична чаша за чай", "Ceramic tea mug", "Чаша 300 мл, глазирана в синьо или зелено, безопасна за съдомиялна.", "crafts.ceramics", 1100, "брой", minimum_quantity=2),
    ],
    "Кооперация „Берковски плодове“": [
        P("Сладко от горски ягоди", "Wild strawberry preserve", "Буркан 370 г, сварено на малки партиди от ягоди, брани в Западна Стара планина.", "food.preserves", 690, "буркан", tags=("местно",), photo=("jam", "Три буркана сладко и конфитюр в червено, оранжево и лилаво")),
        P("Конфитюр от боровинки", "Blueberry jam", "Буркан 300 г, 60 % плод, без консерванти.", "food.preserves", 750, "буркан"),
        P("Сушени сини сливи", "Dried plums", "Пакет 500 г, сушени на слънце, без добавена захар.", "food.preserves", 640, "пакет", minimum_quantity=2),
    ],
    "Социално кафене „Вратцата“ ЕООД": [
        P("Кафе пауза за семинари", "Coffee break for seminars", "Кафе, чай, вода, домашни курабийки и плодове, сервирани от нашия екип на място във Враца.", "catering.events", 650, "човек", SERVICE, minimum_quantity=15),
        P("Кетъринг за фирмени събития", "Corporate event catering", "Студени и топли хапки, напитки и обслужване; менюто съгласуваме с вас.", "catering.events", None, "човек", SERVICE, minimum_quantity=20),
        P("Торта по поръчка", "Cake to order", "Торта за 12 парчета с плодове и сметанов крем, поръчка два дни предварително.", "food.bakery", 3600, "брой"),
    ],
    "Печатница „Панорама“ ООД": [
        P("Визитки, двустранен пълноцветен печат", "Business cards, two-sided colour", "Картон 350 г/м², мат или гланц, готови до три работни дни.", "printing.offset", 1800, "100 бр.", SERVICE),
        P("Брошури А4, сгънати на три", "Tri-fold A4 brochures", "Пълноцветен печат на хартия 150 г/м², сгъване и опаковане.", "printing.offset", 9500, "500 бр.", SERVICE),
        P("Подвързване на дипломни работи", "Thesis binding", "Твърда подвързия с надпис на корицата, готова за един ден.", "printing.binding", 1400, "брой", SERVICE),
    ],
    "Пчеларска кооперация „Тетевенски мед“": [
        P("Липов мед, буркан 900 г", "Linden honey, 900 g jar", "Мед от пчелините на кооперацията в Тетевенския Балкан, с лабораторен анализ.", "food.honey", 1450, "буркан", tags=("местно", "подарък"), photo=("honey", "Три буркана липов мед на дървена маса")),
        P("Манов мед, буркан 450 г", "Honeydew honey, 450 g jar", "Тъмен горски мед с богат вкус, от дъбови гори край Тетевен.", "food.honey", 1100, "буркан"),
        P("Свещи от пчелен восък", "Beeswax candles", "Комплект от две ръчно отляти свещи, горят чисто и ухаят на мед.", "crafts.souvenirs", 900, "комплект"),
    ],
    "Сдружение „Стъпка напред“": [
        P("Платнена пазарска чанта с щампа", "Printed cotton tote bag", "Здрав памук, щампа с логото на вашата организация от 50 броя нагоре.", "textiles.tailoring", 850, "брой", minimum_quantity=50, tags=("корпоративни подаръци",), photo=("bags", "Две платнени чанти, бежова и синя, с ромбови шарки")),
        P("Шиене на чанти по поръчка", "Bags sewn to order", "Чанти, калъфи и торбички по ваш модел и размер, от плат, който избирате.", "textiles.tailoring", None, "брой", SERVICE, minimum_quantity=20),
        P("Несесер от преработен текстил", "Upcycled pouch", "Несесер с цип, ушит от запазени платове и стари дънки.", "textiles.tailoring", 700, "брой"),
    ],
    "Занаятчийска работилница „Етър“ ЕООД": [
        P("Дъска за рязане от бук", "Beech cutting board", "Масивен бук, 40 × 25 см, обработена с хранително масло.", "crafts.woodwork", 2600, "брой", photo=("boards", "Две дървени дъски за рязане от бук, изправени на масата")),
        P("Дърворезбована рамка за снимка", "Carved photo frame", "Рамка 13 × 18 см с габровска дърворезба, ръчно изработена.", "crafts.woodwork", 1900, "брой", tags=("подарък",)),
        P("Детско столче от масив", "Solid-wood child's stool", "Устойчиво столче от бук за деца от 2 до 6 години.", "crafts.woodwork", 4800, "брой"),
    ],
    "Социална пекарна „Добро утро“ ЕООД": [
        P("Пълнозърнест хляб на квас", "Wholegrain sourdough bread", "Хляб 700 г от пълнозърнесто брашно, изпечен сутринта на деня на доставка.", "food.bakery", 320, "брой", minimum_quantity=5, photo=("bread", "Два кръгли хляба с нарязана коричка на дървена маса")),
        P("Закуски за училища", "School breakfasts", "Баница, кифла или сандвич с доставка до 7:30 ч. в училища и детски градини в Русе.", "catering.school_meals", 140, "брой", SERVICE, minimum_quantity=50),
        P("Козунак със стафиди", "Sweet bread with raisins", "Плетен козунак 500 г, по поръчка за празници.", "food.bakery", 850, "брой"),
    ],
    "Кооперация „Лудогорка“": [
        P("Плетени вълнени чорапи", "Knitted wool socks", "Ръчно плетени чорапи от българска вълна, размери 36–46.", "textiles.knitwear", 1400, "чифт"),
        P("Плетен шал", "Knitted scarf", "Шал 180 см от мериносова вълна, в шест цвята.", "textiles.knitwear", 2900, "брой"),
        P("Покривка за маса, плетена на една кука", "Crocheted tablecloth", "Памучна покривка 120 × 120 см по поръчка, срок три седмици.", "textiles.knitwear", 9000, "брой"),
    ],
    "Сдружение „Дунавска трапеза“": [
        P("Топъл обяд с доставка до дома", "Hot lunch delivered home", "Супа, основно и хляб, доставени до 12:30 ч. в Силистра, за възрастни хора и хора с увреждания.", "catering.school_meals", 450, "порция", SERVICE, minimum_quantity=5),
        P("Кетъринг за събития", "Event catering", "Дунавска кухня за събития до 150 души: риба, баници, салати.", "catering.events", 1500, "човек", SERVICE, minimum_quantity=20),
        P("Обедно меню за фирми", "Business lunch menu", "Три менюта на ден по избор, доставка до офиса.", "catering.school_meals", 620, "порция", SERVICE, minimum_quantity=10),
    ],
    "Почистваща компания „Чисто море“ ЕООД": [
        P("Почистване на офиси", "Office cleaning", "Ежедневно или седмично почистване с наши препарати и техника, във Варна и региона.", "cleaning.offices", 180, "м²", SERVICE, minimum_quantity=50),
        P("Почистване след ремонт", "Cleaning after renovation", "Извозване на отпадъци, почистване на прах, измиване на прозорци и подове.", "cleaning.offices", 320, "м²", SERVICE, minimum_quantity=30),
        P("Почистване на входове", "Stairwell cleaning", "Седмично почистване на входа и асансьора, по договор с етажната собственост.", "cleaning.offices", None, "вход", SERVICE),
    ],
    "Сдружение „Бялата лястовица“": [
        P("Пране и гладене за хотели", "Laundry and ironing for hotels", "Спално бельо и кърпи, взимане и доставка в Плевен и региона до 48 часа.", "cleaning.offices", 260, "кг", SERVICE, minimum_quantity=20),
        P("Поправка на дрехи", "Clothes repair", "Подгъви, ципове, кърпежи — за два работни дни.", "textiles.tailoring", 600, "брой", SERVICE),
        P("Ушиване на завеси", "Curtains sewn to measure", "Завеси и пердета по мярка, с монтаж на корниз по желание.", "textiles.tailoring", 1200, "м", SERVICE),
    ],
    "Хлебарска кооперация „Шуменско плато“": [
        P("Шуменска питка", "Shumen round loaf", "Традиционна питка 600 г, месена на ръка.", "food.bakery", 290, "брой", minimum_quantity=5),
        P("Домашни курабийки", "Home-made biscuits", "Кутия 500 г маслени курабийки с мармалад.", "food.bakery", 780, "кутия"),
        P("Ръжен хляб", "Rye bread", "Хляб 600 г от ръжено брашно и квас.", "food.bakery", 330, "брой", minimum_quantity=5),
    ],
    "Сдружение „Зелена градина“": [
        P("Косене на тревни площи", "Lawn mowing", "Косене, събиране и извозване на окосената трева в Търговище и селата наоколо.", "cleaning.green_areas", 3500, "дка", SERVICE),
        P("Поддръжка на паркове", "Park maintenance", "Договор за сезона: косене, резитба, поливане, почистване.", "cleaning.green_areas", None, "сезон", SERVICE),
        P("Разсад на цветя", "Flower seedlings", "Петунии, мушката и тагетес в саксийки 9 см, за общински и училищни градини.", "cleaning.green_areas", 120, "брой", minimum_quantity=50),
    ],
    "Социален ресторант „Котва“ ЕООД": [
        P("Обедно меню за фирми", "Business lunch menu", "Супа, основно и десерт, с доставка в центъра на Бургас.", "catering.school_meals", 750, "порция", SERVICE, minimum_quantity=10),
        P("Кетъринг за събития", "Event catering", "Морска кухня и обслужване за събития до 200 души.", "catering.events", 1800, "човек", SERVICE, minimum_quantity=20),
        P("Коктейл за откриване", "Opening reception", "Хапки, напитки и сервитьори за два часа.", "catering.events", 1200, "човек", SERVICE, minimum_quantity=30),
    ],
    "Кооперация „Котленски килим“": [
        P("Котленски килим, ръчно тъкан", "Hand-woven Kotel rug", "Вълнен килим 120 × 180 см с традиционни котленски шарки, тъкан на вертикален стан.", "crafts.souvenirs", 38000, "брой", photo=("rug", "Червен тъкан килим с жълти, сини и зелени ромбове")),
        P("Черга от вълна", "Wool rag rug", "Черга 70 × 140 см, в цветове по избор.", "crafts.souvenirs", 9500, "брой"),
        P("Възстановяване на стари килими", "Old rug restoration", "Почистване, дотъкаване и укрепване на стари килими и черги.", "textiles.tailoring", None, "брой", SERVICE),
    ],
    "Фондация „Тунджа грижа“": [
        P("Домашни грижи за възрастни хора", "Home care for older people", "Помощ вкъщи: хигиена, храна, лекарства, разходка, в Ямбол и селата.", "care.elderly", 850, "час", SERVICE, minimum_quantity=4),
        P("Личен асистент", "Personal assistant", "Обучен асистент за хора с увреждания, по договор с общината или семейството.", "care.elderly", 780, "час", SERVICE, minimum_quantity=20),
        P("Доставка на лекарства и храна", "Medicine and food delivery", "Пазаруване и доставка до дома в рамките на деня.", "care.elderly", 600, "доставка", SERVICE),
    ],
    "Работилница „Розова долина“ ЕООД": [
        P("Сапуни с розово масло", "Rose oil soaps", "Комплект от четири ръчно изработени сапуна по 100 г, с българско розово масло.", "crafts.souvenirs", 1600, "комплект", tags=("подарък",), photo=("soap", "Четири пастелни сапуна и роза на масата")),
        P("Розова вода, 200 мл", "Rose water, 200 ml", "Натурална розова вода от казанлъшка роза.", "crafts.souvenirs", 650, "бутилка"),
        P("Подаръчна кутия за фирми", "Company gift box", "Сапун, розова вода и крем в кутия с вашето лого.", "crafts.souvenirs", 2400, "кутия", minimum_quantity=20),
    ],
    "ИТ академия „Нов старт“ ЕООД": [
        P("Уебсайт за малка организация", "Website for a small organisation", "Сайт до 10 страници с новини и форма за контакт, достъпен и за хора с увреждания.", "it.web", 120000, "проект", SERVICE),
        P("Тестване на софтуер", "Software testing", "Ръчно тестване и тестове за достъпност от обучен екип.", "it.data_entry", 1800, "час", SERVICE, minimum_quantity=10),
        P("Дигитализация на архив", "Archive digitisation", "Сканиране, разпознаване на текст и подреждане на документи.", "it.data_entry", 25, "страница", SERVICE, minimum_quantity=500, photo=("laptop", "Лаптоп с отворен документ и жълт етикет за сервиз")),
    ],
    "Кооперация „Рилски билки“": [
        P("Билков чай от Рила", "Rila herbal tea", "Мащерка, риган и мента, 50 г, събрани и сушени от кооперацията.", "food.preserves", 450, "пакет", minimum_quantity=5),
        P("Сушени горски плодове", "Dried forest berries", "Боровинки и малини, 200 г.", "food.preserves", 720, "пакет"),
        P("Сироп от бъз", "Elderflower syrup", "Бутилка 500 мл, с тръстикова захар.", "food.preserves", 680, "бутилка"),
    ],
    "Шивашко ателие „Струма“ ООД": [
        P("Работни престилки с джоб", "Work aprons with pocket", "Памучни престилки за кухни, магазини и работилници, с бродирано лого.", "textiles.workwear", 1700, "брой", minimum_quantity=10, photo=("aprons", "Две работни престилки, зелена и керемидена, с джоб отпред")),
        P("Униформи за персонал", "Staff uniforms", "Ризи, панталони и елеци по ваш модел, шити в Кюстендил.", "textiles.workwear", None, "брой", minimum_quantity=20),
        P("Медицински облекла", "Medical scrubs", "Комплект туника и панталон от издръжлив памук.", "textiles.workwear", 3600, "комплект", minimum_quantity=5),
    ],
    "Кооперация „Черешова градина“": [
        P("Сушени череши", "Dried cherries", "Пакет 250 г, без костилки и без захар.", "food.preserves", 790, "пакет"),
        P("Компот от череши", "Cherry compote", "Буркан 720 мл, от череши от Кюстендилско.", "food.preserves", 520, "буркан", minimum_quantity=6),
        P("Плодови барове", "Fruit bars", "Кутия с 12 бара от сушени плодове и ядки.", "food.preserves", 1200, "кутия"),
    ],
    "Фондация „Мост към труд“": [
        P("Социален кетъринг за събития", "Social catering", "Кетъринг от кухнята ни в Пловдив, в която се обучават младежи без работа.", "catering.events", 1300, "човек", SERVICE, minimum_quantity=20),
        P("Обяд за социални услуги", "Lunch for social services", "Топъл обяд за дневни центрове и домове, по договор.", "catering.school_meals", 390, "порция", SERVICE, minimum_quantity=30),
        P("Кутия сандвичи за срещи", "Sandwich box for meetings", "12 сандвича с доставка в Пловдив.", "catering.events", 2600, "кутия", SERVICE),
    ],
    "Сдружение „Светлина“": [
        P("Тетрадки от рециклирана хартия", "Recycled paper notebooks", "Тетрадка А5, 80 листа, корица от картон с ваш печат.", "printing.binding", 280, "брой", minimum_quantity=50),
        P("Бележници с твърди корици", "Hardcover notebooks", "Бележник А6 с ленена корица, подвързан на ръка.", "printing.binding", 650, "брой", minimum_quantity=10),
        P("Картонени кутии за подаръци", "Gift boxes from card", "Кутии по ваш размер от рециклиран картон.", "printing.offset", None, "брой", minimum_quantity=100),
    ],
    "Кооперация „Чепинска долина“": [
        P("Сушени горски гъби", "Dried forest mushrooms", "Манатарки, 100 г, събрани в Родопите.", "food.preserves", 1300, "пакет"),
        P("Туршия от чепинско зеле", "Sauerkraut from Chepino", "Буркан 1 кг, традиционна рецепта.", "food.preserves", 480, "буркан"),
        P("Лютеница домашна", "Home-made lyutenitsa", "Буркан 520 г от печени чушки и домати.", "food.preserves", 560, "буркан", minimum_quantity=3),
    ],
    "Шивашка кооперация „Родопа“": [
        P("Народна носия по поръчка", "Folk costume to order", "Родопска носия за състави и читалища, ушита по мярка.", "textiles.tailoring", None, "комплект", SERVICE),
        P("Плетени чорапи от родопска вълна", "Rhodope wool socks", "Чорапи от некопрена вълна, плетени на ръка.", "textiles.knitwear", 1500, "чифт"),
        P("Шивашки услуги", "Tailoring", "Шиене и преправяне на дрехи в Кърджали.", "textiles.tailoring", 1500, "час", SERVICE),
    ],
    "Керамична работилница „Перперикон“ ЕООД": [
        P("Комплект керамични купи", "Set of ceramic bowls", "Четири купи 500 мл, ръчно извити на грънчарско колело.", "crafts.ceramics", 3400, "комплект"),
        P("Декоративна ваза", "Decorative vase", "Ваза 30 см със сграфито украса.", "crafts.ceramics", 4200, "брой"),
        P("Курс по грънчарство", "Pottery course", "Четири занятия по два часа, с глина и изпичане.", "crafts.ceramics", 6000, "човек", SERVICE),
    ],
    "Компютърен сервиз „Рестарт“ ЕООД": [
        P("Ремонт на компютри и лаптопи", "Computer and laptop repair", "Диагностика до един работен ден, подмяна на дискове, памет, батерии и екрани, с гаранция.", "it.repair", 3000, "брой", SERVICE, photo=("laptop", "Лаптоп с отворен документ и жълт етикет за сервиз")),
        P("Обновени компютри за училища", "Refurbished computers for schools", "Настолни компютри с проверени части, чиста операционна система и година гаранция.", "it.repair", 16000, "брой", minimum_quantity=5),
        P("Рециклиране на стара техника", "E-waste collection", "Взимаме и предаваме за рециклиране стара техника от офиси, с протокол.", "it.repair", None, "доставка", SERVICE),
    ],
    "Социална работилница „Тепетата“ ООД": [
        P("Реставрация на стари мебели", "Old furniture restoration", "Шкафове, скринове и маси: почистване, поправка и ново покритие.", "crafts.woodwork", None, "брой", SERVICE),
        P("Тапициране на столове", "Chair upholstery", "Нова дунапренова седалка и дамаска по избор.", "crafts.woodwork", 3500, "брой", SERVICE),
        P("Обновен дървен скрин", "Renovated wooden chest of drawers", "Скрин с три чекмеджета, възстановен в работилницата ни.", "crafts.woodwork", 14000, "брой"),
    ],
    "Дърводелска работилница „Зелен клон“ ЕООД": [
        P("Дървени играчки за детски градини", "Wooden toys for kindergartens", "Кубчета, пъзели и влакчета от бук, боядисани с безопасни бои.", "crafts.woodwork", 1800, "брой", minimum_quantity=5),
        P("Дъска за рязане от орех", "Walnut cutting board", "Масивен орех, 35 × 22 см.", "crafts.woodwork", 3200, "брой"),
        P("Реставрация на мебели", "Furniture restoration", "Поправка и ново покритие на дървени мебели.", "crafts.woodwork", None, "брой", SERVICE),
    ],
    "Кооперация „Еленски Балкан“": [
        P("Овче сирене в саламура", "Sheep's white cheese", "Сирене от овче мляко, зряло 60 дни, разфасовки по 1 кг.", "food.dairy", 1450, "кг"),
        P("Овче кисело мляко", "Sheep's yoghurt", "Кофичка 400 г, от мляко от стадата на кооперацията.", "food.dairy", 260, "брой", minimum_quantity=6),
        P("Кашкавал от овче мляко", "Sheep's yellow cheese", "Пита около 1 кг, зрял 90 дни.", "food.dairy", 1900, "кг"),
    ],
}  # fmt: skip

TRADES: list[tuple[tuple[str, ...], list[Product]]] = [
    (("пчел",), SHOPS["Пчеларска кооперация „Тетевенски мед“"]),
    (("хляб", "хлеб", "пекар", "закуск"), SHOPS["Социална пекарна „Добро утро“ ЕООД"]),
    (("работно облекло", "униформ"), SHOPS["Шивашко ателие „Струма“ ООД"]),
    (("шиене", "шивашк", "текстил"), SHOPS["Сдружение „Стъпка напред“"]),
    (("плет",), SHOPS["Кооперация „Лудогорка“"]),
    (("керами", "грънч"), SHOPS["Керамична работилница „Перперикон“ ЕООД"]),
    (("дърв",), SHOPS["Занаятчийска работилница „Етър“ ЕООД"]),
    (("мебел", "тапиц"), SHOPS["Социална работилница „Тепетата“ ООД"]),
    (("компют", "електрон"), SHOPS["Компютърен сервиз „Рестарт“ ЕООД"]),
    (("мляко", "сирене", "млечн"), SHOPS["Кооперация „Еленски Балкан“"]),
    (("кетъринг", "кухн", "ресторант", "кафене"), SHOPS["Сдружение „Дунавска трапеза“"]),
    (("печат", "хартия"), SHOPS["Печатница „Панорама“ ООД"]),
    (("почист",), SHOPS["Почистваща компания „Чисто море“ ЕООД"]),
    (("озелен", "паркове", "цветя"), SHOPS["Сдружение „Зелена градина“"]),
    (("уеб", "софтуер", "дигитализ"), SHOPS["ИТ академия „Нов старт“ ЕООД"]),
    (("грижи", "асистент", "патронаж"), SHOPS["Фондация „Тунджа грижа“"]),
    (("конфитюр", "сладка", "плодове", "консерв", "билк"), SHOPS["Кооперация „Берковски плодове“"]),
]
"""An enterprise the demo does not know sells what the first trade its activities (then its name) name."""


def products_for(name: str, activities: tuple[str, ...]) -> list[Product]:
    """The demo listings of an enterprise: its own if the demo knows it, else those of its trade, else none."""
    if name in SHOPS:
        return SHOPS[name]
    for words in (" ".join(activities).lower(), name.lower()):
        for stems, products in TRADES:
            if any(stem in words for stem in stems):
                return products
    return []


# ---------------------------------------------------------------------- the benchmarks' vocabulary
# category → (products: (Bulgarian, English), unit, price range in cents, kind)
VOCABULARY: dict[str, tuple[list[tuple[str, str]], str, tuple[int, int], ListingKind]] = {}
for _products in SHOPS.values():
    for _p in _products:
        _names, _unit, (_low, _high), _kind = VOCABULARY.setdefault(
            _p.category, ([], _p.unit, (_p.price_cents or 500, _p.price_cents or 500), _p.kind)
        )
        if (_p.title_bg, _p.title_en) not in _names:
            _names.append((_p.title_bg, _p.title_en))
        _cents = _p.price_cents or _low
        VOCABULARY[_p.category] = (_names, _unit, (min(_low, _cents), max(_high, _cents)), _kind)

QUALITIES: dict[str, list[str]] = {
    "food": ["по традиционна рецепта", "без консерванти", "от местни суровини", "от малко стопанство"],
    "crafts": ["ръчна изработка", "по поръчка", "от естествени материали"],
    "textiles": ["ръчна изработка", "по поръчка", "от естествени материи"],
}
"""Words that fit after a product of each top category; services get ``SERVICE_QUALITIES``."""
SERVICE_QUALITIES = ["с фактура", "за фирми и общини", "в срок", "с договор"]


def qualities(category: str) -> list[str]:
    return QUALITIES.get(category.split(".", maxsplit=1)[0], SERVICE_QUALITIES)


PROMISES = [
    "Изработено от екипа на социалното предприятие, в което работят хора с увреждания.",
    "Всяка поръчка дава работа на младежи, напуснали социални институции.",
    "Доставяме в срок, с фактура, и за общини, и за фирми.",
    "Приемаме поръчки за корпоративни подаръци и събития.",
    "Подходящо за обществени поръчки със запазен дял за социални предприятия.",
]
TAGS = ["подарък", "корпоративни подаръци", "бърза доставка", "ръчна изработка", "на едро", "местно"]

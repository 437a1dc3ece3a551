"""Demo data for the register (``registry-demo-data``), loaded for ``make run``.

About forty FICTIONAL social enterprises in all 28 districts, played through the real use cases
on a controllable clock: applications started, submitted, questioned, approved, rejected and
withdrawn over the last three years, renewals, yearly reports, a class change, an expiry and a
deletion. Every change therefore has its history and its events in the outbox, as if people had
done it through the API. The steps run on a `StagedRepository` and each enterprise is then
inserted with ``MongoEnterpriseRepository.add`` (``--direct`` writes every step to the database
instead: the same documents, but about twenty times slower on FerretDB). Running it again adds
only what is missing (by ЕИК); ``--reset`` starts from an empty database. At the end it prints a
summary and development tokens.
"""

from __future__ import annotations

import argparse
import random
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Any

from pymongo.database import Database

from services.registry.adapters.documents import from_document, to_document
from services.registry.adapters.repository import ENTERPRISES, INDEXES, MongoEnterpriseRepository
from services.registry.config import SERVICE, RegistryConfig
from services.registry.domain.details import Contacts, EnterpriseDetails, Representative, Seat
from services.registry.domain.eligibility import APlusCriterion, ClassARoute, EnterpriseClass, Evidence, assess
from services.registry.domain.enterprise import ApplicationRequest, Enterprise
from services.registry.domain.entry import Order
from services.registry.domain.errors import StaleVersion
from services.registry.domain.policy import RegistryPolicy, add_years
from services.registry.events.schemas import REGISTRY_EVENTS
from services.registry.service_layer.use_cases import RegistryService
from shared.auth import Principal, Role, TokenCodec
from shared.auth.principal import NATIONAL
from shared.bg.geography import geography
from shared.bg.identifiers import is_valid_eik
from shared.clock import SOFIA, FixedClock, SystemClock
from shared.errors import Conflict, NotFound, Text
from shared.logs import correlation_scope
from shared.mongo import MongoNumberSeries, connect, ensure_indexes
from shared.outbox import OutboxEntry

EMAIL_DOMAIN = "example.bg"
EXPIRING_SOON_DAYS = (45, 20)
"""Days from today to the end of validity of the two certificates left for the scheduler to notice."""
EXPIRED_DAYS_AGO = 130
CHECKS_STOP_DAYS = 50
"""The loader's own monthly checks stop this long before today, so recent notices are the scheduler's."""
RENEW_IF_VALID_WITHIN_DAYS = 100


# ---------------------------------------------------------------------------- what each enterprise is
class Scenario(StrEnum):
    REGISTERED = "registered"
    INFO_THEN_APPROVED = "info_then_approved"
    REJECTED_THEN_APPROVED = "rejected_then_approved"
    UPDATED = "updated"
    LATE_REPORT = "late_report"
    OVERDUE_REPORT = "overdue_report"
    UPGRADE = "upgrade"
    CLASS_DOWN = "class_down"
    EXPIRING_60 = "expiring_60"
    EXPIRING_30 = "expiring_30"
    EXPIRED = "expired"
    DELETED = "deleted"
    DRAFT = "draft"
    SUBMITTED = "submitted"
    RESUBMITTED = "resubmitted"
    INFO_REQUESTED = "info_requested"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


@dataclass(frozen=True)
class Figures:
    """Staff and money as an application states them (money in euro, turned into cents)."""

    staff: int
    vulnerable: dict[str, int]
    continuous_6m: int = 0
    result_eur: float = 0.0
    social_eur: float = 0.0
    unemployment_area: bool = False
    social_activity: bool = True
    participatory: bool = True

    def evidence(self) -> Evidence:
        return Evidence(
            social_activity_evidenced=self.social_activity,
            participatory_management=self.participatory,
            after_tax_result_cents=round(self.result_eur * 100),
            social_spending_cents=round(self.social_eur * 100),
            staff_count=self.staff,
            vulnerable_staff=dict(self.vulnerable),
            vulnerable_staff_continuous_6m=self.continuous_6m,
            unemployment_area=self.unemployment_area,
        )


ClassSpec = tuple[EnterpriseClass, ClassARoute, APlusCriterion | None]
A_EMPLOYMENT: ClassSpec = (EnterpriseClass.A, ClassARoute.EMPLOYMENT, None)
A_PROFIT: ClassSpec = (EnterpriseClass.A, ClassARoute.PROFIT, None)
A_PLUS_AREA: ClassSpec = (EnterpriseClass.A_PLUS, ClassARoute.EMPLOYMENT, APlusCriterion.UNEMPLOYMENT_AREA)
A_PLUS_PROFIT: ClassSpec = (EnterpriseClass.A_PLUS, ClassARoute.PROFIT, APlusCriterion.HIGH_PROFIT_SHARE)
A_PLUS_CONTINUITY: ClassSpec = (EnterpriseClass.A_PLUS, ClassARoute.EMPLOYMENT, APlusCriterion.EMPLOYMENT_CONTINUITY)

POSITIONS = {
    "cooperative": "председател",
    "association": "председател на УС",
    "foundation": "изпълнителен директор",
    "ood": "управител",
    "eood": "управител",
}
PHONE_AREA = {
    "BG-01": "73", "BG-02": "56", "BG-03": "52", "BG-04": "62", "BG-05": "94", "BG-06": "92", "BG-07": "66",
    "BG-08": "58", "BG-09": "361", "BG-10": "78", "BG-11": "68", "BG-12": "96", "BG-13": "34", "BG-14": "76",
    "BG-15": "64", "BG-16": "32", "BG-17": "84", "BG-18": "82", "BG-19": "86", "BG-20": "44", "BG-21": "301",
    "BG-22": "2", "BG-23": "2", "BG-24": "42", "BG-25": "601", "BG-26": "38", "BG-27": "54", "BG-28": "46",
}  # fmt: skip


@dataclass(frozen=True)
class Profile:
    slug: str
    name: str
    legal_form: str
    place: tuple[str, str, str, str, str]
    """District code, municipality, settlement, postcode, street address."""
    activities: list[str]
    description: str
    representative: str
    figures: Figures
    spec: ClassSpec
    scenario: Scenario
    days: int
    """Days before today of the scenario's key moment (approval, submission, start...)."""
    website: bool = False

    def details(self, eik: str, number: int) -> EnterpriseDetails:
        district, municipality, settlement, postcode, address = self.place
        return EnterpriseDetails(
            name=self.name,
            legal_form=self.legal_form,
            eik=eik,
            seat=Seat(district, municipality, settlement, address, postcode),
            contacts=Contacts(
                email=f"{self.slug}@{EMAIL_DOMAIN}",
                phone=f"+359 {PHONE_AREA[district]} 000 {100 + number:03d}",
                website=f"https://{self.slug}.{EMAIL_DOMAIN}" if self.website else "",
            ),
            representative=Representative(self.representative, POSITIONS.get(self.legal_form, "управител")),
            activities=list(self.activities),
            description=self.description,
        )

    def request(self, figures: Figures | None = None, spec: ClassSpec | None = None) -> ApplicationRequest:
        cls, route, criterion = spec or self.spec
        return ApplicationRequest(cls, route, criterion, (figures or self.figures).evidence())


LTU, YOUTH, OVER55 = "long_term_unemployed", "youth_up_to_29", "unemployed_over_55"
MOTHERS, ADDICTION, REFUGEES = "mothers_of_disabled_children", "addiction_treatment_completed", "refugees"
PRISON, DISABLED = "former_prisoners", "permanent_disabilities"
VIOLENCE, INSTITUTIONS = "violence_trafficking_victims", "leaving_institutions"

S = Scenario
PROFILES: list[Profile] = [
    # --- one enterprise per district that ends up in the register (active) ---
    Profile(
        "dunavski-zanayati", "Сдружение „Дунавски занаяти“", "association",
        ("BG-05", "Видин", "Видин", "3700", "ул. „Цар Симеон Велики“ 41"),
        ["грънчарство", "ръчно тъкане", "сувенири и подаръци"],
        "Работилница за керамика и тъкани по мотиви от Видинския край. Наема и обучава продължително "
        "безработни и хора с трайни увреждания.",
        "Росица Методиева Цветкова", Figures(9, {LTU: 3, OVER55: 1, DISABLED: 2}, 5, 3120.40, 2480, True),
        A_PLUS_AREA, S.REGISTERED, 1150, website=True,
    ),
    Profile(
        "berkovski-plodove", "Кооперация „Берковски плодове“", "cooperative",
        ("BG-12", "Берковица", "Берковица", "3500", "ул. „Иван Вазов“ 14"),
        ["конфитюри и сладка", "сушени плодове", "преработка на горски плодове"],
        "Кооперация, която изкупува плодове от дребни стопани в Западна Стара планина и ги преработва "
        "в малка цех-кухня. Половината от работещите са над 55 години или продължително безработни.",
        "Венцислав Костов Гергов", Figures(12, {LTU: 2, OVER55: 2, MOTHERS: 1}, 4, 5400, 2100),
        A_EMPLOYMENT, S.REGISTERED, 700,
    ),
    Profile(
        "kafene-vratsata", "Социално кафене „Вратцата“ ЕООД", "eood",
        ("BG-06", "Враца", "Враца", "3000", "ул. „Христо Ботев“ 22"),
        ["кафене", "кетъринг", "обучение на младежи за работа в заведения"],
        "Кафене в центъра на Враца, в което младежи, напуснали социални институции, получават първа "
        "работа и наставник.",
        "Калина Иванова Божкова", Figures(8, {YOUTH: 3, INSTITUTIONS: 1}, 3, 6100, 2900),
        A_EMPLOYMENT, S.INFO_THEN_APPROVED, 520,
    ),
    Profile(
        "pechatnitsa-panorama", "Печатница „Панорама“ ООД", "ood",
        ("BG-15", "Плевен", "Плевен", "5800", "ул. „Индустриална“ 9"),
        ["офсетов и дигитален печат", "книговезки услуги", "рекламни материали"],
        "Печатница, която влага над половината от печалбата си в стипендии и трудово обучение "
        "на младежи с увреждания от Плевенска област.",
        "Николай Тодоров Пенчев", Figures(14, {DISABLED: 3, LTU: 1}, 3, 42350.80, 24600),
        A_PROFIT, S.LATE_REPORT, 800, website=True,
    ),
    Profile(
        "tetevenski-med", "Пчеларска кооперация „Тетевенски мед“", "cooperative",
        ("BG-11", "Тетевен", "Тетевен", "5700", "ул. „Христо Ботев“ 55"),
        ["пчелен мед и пчелни продукти", "опрашителни услуги", "курсове по пчеларство"],
        "Пчелари от Тетевенския Балкан, обединени в кооперация. Членове са и безработни над 55 години, "
        "които поддържат кошерите през сезона.",
        "Стоян Петков Марков", Figures(7, {OVER55: 2, LTU: 1}, 3, 4800, 1900),
        A_EMPLOYMENT, S.EXPIRING_60, 0,
    ),
    Profile(
        "stapka-napred", "Сдружение „Стъпка напред“", "association",
        ("BG-04", "Велико Търново", "Велико Търново", "5000", "ул. „Никола Габровски“ 73"),
        ["шиене на чанти и аксесоари", "преработка на текстил", "шиене по поръчка"],
        "Шивашка работилница за жени, преживели домашно насилие, и майки на деца с увреждания; "
        "чантите се шият от дарен и преработен текстил.",
        "Десислава Христова Ненова", Figures(10, {VIOLENCE: 2, MOTHERS: 1, LTU: 1}, 3, 3900, 2200),
        A_EMPLOYMENT, S.REGISTERED, 300,
    ),
    Profile(
        "rabotilnitsa-etar", "Занаятчийска работилница „Етър“ ЕООД", "eood",
        ("BG-07", "Трявна", "Трявна", "5350", "ул. „Ангел Кънчев“ 18"),
        ["дърворезба", "ръчно изработени мебели", "сувенири"],
        "Дърворезбарска работилница в традициите на Тревненската школа; майсторите обучават хора "
        "с трайни увреждания.",
        "Пенчо Димитров Радев", Figures(6, {DISABLED: 2, OVER55: 1}, 3, 5200, 1800),
        A_EMPLOYMENT, S.REGISTERED, 950, website=True,
    ),
    Profile(
        "pekarna-dobro-utro", "Социална пекарна „Добро утро“ ЕООД", "eood",
        ("BG-18", "Русе", "Русе", "7000", "ул. „Александровска“ 112"),
        ["хляб и хлебни изделия", "закуски", "доставка за училища и детски градини"],
        "Квартална пекарна, в която работят хора след лечение от зависимости и бивши лишени от свобода; "
        "всеки има наставник през първите шест месеца.",
        "Мартин Любомиров Станчев", Figures(11, {ADDICTION: 2, PRISON: 2, LTU: 2}, 5, 8700, 3300),
        A_PLUS_CONTINUITY, S.REGISTERED, 450, website=True,
    ),
    Profile(
        "kooperatsia-ludogorka", "Кооперация „Лудогорка“", "cooperative",
        ("BG-17", "Исперих", "Исперих", "7400", "ул. „Васил Левски“ 31"),
        ["плетени изделия", "текстил за дома", "ръчно плетене по поръчка"],
        "Плетачна кооперация от Лудогорието; жените работят и от дома си, с гъвкаво работно време.",
        "Айше Мехмедова Алиева", Figures(13, {MOTHERS: 2, LTU: 3}, 4, 4100, 1500),
        A_EMPLOYMENT, S.REGISTERED, 620,
    ),
    Profile(
        "dunavska-trapeza", "Сдружение „Дунавска трапеза“", "association",
        ("BG-19", "Тутракан", "Тутракан", "7600", "ул. „Трансмариска“ 24"),
        ["кетъринг", "социална кухня", "доставка на храна по домовете"],
        "Кухня, която готви за общинския патронаж и за събития; наема продължително безработни "
        "от крайдунавските села.",
        "Галина Стефанова Маринова", Figures(9, {LTU: 2, OVER55: 2, YOUTH: 1}, 4, 6300, 3500, True),
        A_PLUS_AREA, S.REGISTERED, 240,
    ),
    Profile(
        "chisto-more", "Почистваща компания „Чисто море“ ЕООД", "eood",
        ("BG-03", "Варна", "Варна", "9000", "бул. „Владислав Варненчик“ 186"),
        ["професионално почистване", "поддръжка на сгради", "почистване след ремонт"],
        "Почистване на офиси и входове във Варна с екипи, в които работят бежанци и продължително "
        "безработни; всички минават обучение по безопасност.",
        "Ивайло Кирилов Вълчев", Figures(18, {LTU: 4, REFUGEES: 2, OVER55: 1}, 6, 11200, 4000),
        A_EMPLOYMENT, S.REGISTERED, 1100, website=True,
    ),
    Profile(
        "byalata-lastovitsa", "Сдружение „Бялата лястовица“", "association",
        ("BG-08", "Балчик", "Балчик", "9600", "ул. „Черно море“ 12"),
        ["пране и гладене", "услуги за хотели", "поправка на дрехи"],
        "Перачница, която обслужва малки хотели по северното Черноморие и дава целогодишна работа "
        "на жени от уязвими групи.",
        "Милена Атанасова Друмева", Figures(8, {MOTHERS: 2, LTU: 1, VIOLENCE: 1}, 2, 3600, 1400),
        A_EMPLOYMENT, S.REGISTERED, 180,
    ),
    Profile(
        "shumensko-plato", "Хлебарска кооперация „Шуменско плато“", "cooperative",
        ("BG-27", "Шумен", "Шумен", "9700", "ул. „Цар Освободител“ 54"),
        ["хлебопроизводство", "сладкарски изделия", "традиционни питки"],
        "Кооперативна фурна; над половината от печалбата отива за безплатен хляб за социални "
        "трапезарии и за обучение на чираци.",
        "Светослав Енчев Добрев", Figures(15, {LTU: 2, DISABLED: 1}, 2, 23880.10, 14200),
        A_PROFIT, S.UPDATED, 870,
    ),
    Profile(
        "zelena-gradina", "Сдружение „Зелена градина“", "association",
        ("BG-25", "Попово", "Попово", "7800", "ул. „Раковски“ 8"),
        ["озеленяване", "поддръжка на паркове", "разсад и цветя"],
        "Поддържа градинки и междублокови пространства по договор с общината; работниците са "
        "предимно продължително безработни.",
        "Тодорка Русева Илиева", Figures(10, {LTU: 3, OVER55: 1}, 3, 2900, 1200),
        A_EMPLOYMENT, S.OVERDUE_REPORT, 900,
    ),
    Profile(
        "restorant-kotva", "Социален ресторант „Котва“ ЕООД", "eood",
        ("BG-02", "Бургас", "Бургас", "8000", "ул. „Александровска“ 48"),
        ["ресторант", "кетъринг за събития", "обедно меню за фирми"],
        "Ресторант с кухня от Черноморието и Близкия изток; печалбата финансира езикови курсове "
        "и първа работа за бежанци.",
        "Анелия Красимирова Янева", Figures(16, {REFUGEES: 3, YOUTH: 2}, 4, 31450, 17900),
        A_PROFIT, S.REGISTERED, 560, website=True,
    ),
    Profile(
        "kotlenski-kilim", "Кооперация „Котленски килим“", "cooperative",
        ("BG-20", "Котел", "Котел", "8970", "ул. „Изворите“ 5"),
        ["ръчно тъкани килими", "черги и козяци", "възстановяване на стари тъкани"],
        "Тъкачки от Котел пазят традицията на котленския килим; кооперацията обучава млади майки "
        "и безработни жени от общината.",
        "Радка Жечева Куртева", Figures(9, {OVER55: 2, LTU: 2, MOTHERS: 1}, 5, 3300, 1600, True),
        A_EMPLOYMENT, S.UPGRADE, 1130,
    ),
    Profile(
        "tundzha-grizha", "Фондация „Тунджа грижа“", "foundation",
        ("BG-28", "Елхово", "Елхово", "8700", "ул. „Търговска“ 3"),
        ["домашни грижи за възрастни", "личен асистент", "доставка на лекарства и храна"],
        "Домашни грижи за самотни възрастни хора в селата на Елховско; асистентите са безработни "
        "от същите села.",
        "Петя Динкова Славова", Figures(14, {LTU: 3, OVER55: 2}, 4, 2600, 1100),
        A_EMPLOYMENT, S.REGISTERED, 410,
    ),
    Profile(
        "rozova-dolina", "Работилница „Розова долина“ ЕООД", "eood",
        ("BG-24", "Казанлък", "Казанлък", "6100", "ул. „Искра“ 17"),
        ["натурална козметика", "сапуни ръчна изработка", "продукти с розово масло"],
        "Малко производство на сапуни и кремове; печалбата плаща терапия и транспорт на работещите "
        "с увреждания.",
        "Виктория Генчева Русинова", Figures(7, {DISABLED: 2, LTU: 1}, 2, 27900, 15300),
        A_PROFIT, S.REGISTERED, 1000, website=True,
    ),
    Profile(
        "it-akademia-nov-start", "ИТ академия „Нов старт“ ЕООД", "eood",
        ("BG-22", "Столична", "София", "1784", "бул. „Цариградско шосе“ 115"),
        ["уеб разработка", "тестване на софтуер", "дигитализация на документи"],
        "Софтуерна компания, която обучава и наема хора с увреждания и младежи без опит; "
        "по-голямата част от печалбата отива за стипендии и достъпна техника.",
        "Борислав Андреев Николов", Figures(24, {DISABLED: 5, YOUTH: 3}, 6, 96540.30, 61200),
        A_PLUS_PROFIT, S.REGISTERED, 640, website=True,
    ),
    Profile(
        "rilski-bilki", "Кооперация „Рилски билки“", "cooperative",
        ("BG-23", "Самоков", "Самоков", "2000", "ул. „Македония“ 39"),
        ["билкови чайове", "сушене на билки", "събиране на горски плодове"],
        "Събиране и сушене на билки от Рила; кооперацията дава сезонна и постоянна работа "
        "на безработни от Самоковско.",
        "Иван Благоев Стойчев", Figures(8, {LTU: 2, OVER55: 1}, 1, 2300, 900),
        A_EMPLOYMENT, S.REGISTERED, 130,
    ),
    Profile(
        "pirin-za-vsichki", "Сдружение „Пирин за всички“", "association",
        ("BG-01", "Банско", "Банско", "2770", "ул. „Пирин“ 62"),
        ["къща за гости", "планински водачи", "достъпен туризъм"],
        "Къща за гости, пригодена за хора с увреждания, и преходи с обучени водачи; в нея работят "
        "младежи и хора с трайни увреждания.",
        "Любомир Костадинов Кунчев", Figures(9, {DISABLED: 2, YOUTH: 1, LTU: 1}, 3, 7400, 3100),
        A_EMPLOYMENT, S.REGISTERED, 760, website=True,
    ),
    Profile(
        "atelie-struma", "Шивашко ателие „Струма“ ООД", "ood",
        ("BG-14", "Радомир", "Радомир", "2400", "ул. „Христо Ботев“ 28"),
        ["работно облекло", "униформи", "шиене по поръчка"],
        "Шие работно облекло за общини и фирми в Пернишко; повечето шивачки бяха продължително "
        "безработни.",
        "Даниела Пламенова Шишкова", Figures(17, {LTU: 4, OVER55: 2}, 5, 9800, 3600),
        A_EMPLOYMENT, S.REGISTERED, 340,
    ),
    Profile(
        "chereshova-gradina", "Кооперация „Черешова градина“", "cooperative",
        ("BG-10", "Кюстендил", "Кюстендил", "2500", "ул. „Цар Освободител“ 128"),
        ["сушени плодове", "компоти и сокове", "плодови барове"],
        "Преработва черешите и сливите на членовете си; над половината от печалбата отива "
        "за социален транспорт и обучение на възрастни работници.",
        "Васил Кирилов Захариев", Figures(12, {OVER55: 2, LTU: 2}, 3, 19760, 11050),
        A_PROFIT, S.EXPIRING_30, 0,
    ),
    Profile(
        "most-kam-trud", "Фондация „Мост към труд“", "foundation",
        ("BG-16", "Пловдив", "Пловдив", "4000", "ул. „Иван Вазов“ 36"),
        ["социален кетъринг", "професионално обучение в кухня", "трудово посредничество"],
        "Кухня-училище: хора, напуснали институции или затвора, учат готварство, работят в "
        "кетъринга и после получават помощ да си намерят постоянна работа.",
        "Елена Георгиева Паскалева", Figures(20, {INSTITUTIONS: 3, YOUTH: 3, PRISON: 2}, 6, 12500, 5200),
        A_EMPLOYMENT, S.UPDATED, 1080,
    ),
    Profile(
        "sdruzhenie-svetlina", "Сдружение „Светлина“", "association",
        ("BG-26", "Димитровград", "Димитровград", "6400", "бул. „Раковски“ 14"),
        ["рециклирана хартия", "картонени опаковки", "тетрадки и бележници"],
        "Преработва отпадъчна хартия в опаковки и тетрадки; печалбата издържа защитено жилище "
        "за хора с увреждания.",
        "Атанас Недялков Тонев", Figures(11, {DISABLED: 3}, 2, 14800, 8600),
        A_PROFIT, S.REJECTED_THEN_APPROVED, 45,
    ),
    Profile(
        "chepinska-dolina", "Кооперация „Чепинска долина“", "cooperative",
        ("BG-13", "Велинград", "Велинград", "4600", "ул. „Хан Аспарух“ 9"),
        ["горски гъби", "горски плодове", "консерви и туршии"],
        "Изкупува и преработва гъби и боровинки от Западните Родопи; работи с безработни "
        "от планинските села на общината.",
        "Мустафа Ахмедов Кисьов", Figures(10, {LTU: 3, OVER55: 2}, 4, 6900, 2700),
        A_PLUS_CONTINUITY, S.CLASS_DOWN, 420,
    ),
    Profile(
        "shivashka-kooperatsia-rodopa", "Шивашка кооперация „Родопа“", "cooperative",
        ("BG-21", "Смолян", "Смолян", "4700", "бул. „България“ 22"),
        ["шивашки услуги", "народни носии", "плетива от родопска вълна"],
        "Една от най-старите кооперации в Смолян: шие носии за читалища и ансамбли и плете "
        "от родопска вълна; наема безработни жени от общината.",
        "Зорница Асенова Хаджиева", Figures(14, {LTU: 3, MOTHERS: 2, OVER55: 1}, 5, 5100, 2300, True),
        A_PLUS_AREA, S.REGISTERED, 280, website=True,
    ),
    Profile(
        "keramika-perperikon", "Керамична работилница „Перперикон“ ЕООД", "eood",
        ("BG-09", "Момчилград", "Момчилград", "6800", "ул. „Трети март“ 12"),
        ["битова керамика", "декоративни съдове", "курсове по грънчарство"],
        "Млада работилница за керамика по мотиви от Източните Родопи; обучава безработни "
        "и младежи без трудов стаж.",
        "Севгин Юсеинова Реджебова", Figures(6, {LTU: 2, YOUTH: 1}, 0, 1800, 700),
        A_EMPLOYMENT, S.REGISTERED, 75,
    ),
    # --- the rest of the story: expiry, deletion and the applications still in progress ---
    Profile(
        "morski-vazel", "Сдружение „Морски възел“", "association",
        ("BG-03", "Варна", "Варна", "9000", "ул. „Генерал Колев“ 90"),
        ["чанти от платна за лодки", "ремонт на платна", "морски сувенири"],
        "Шие чанти от стари платна на яхти; удостоверението му изтече, без сдружението да поиска "
        "подновяване.",
        "Огнян Веселинов Сарафов", Figures(6, {LTU: 2, OVER55: 1}, 2, 2100, 900),
        A_EMPLOYMENT, S.EXPIRED, 0,
    ),
    Profile(
        "sinya-valna", "Сдружение „Синя вълна“", "association",
        ("BG-02", "Созопол", "Созопол", "8130", "ул. „Републиканска“ 4"),
        ["почистване на плажове", "разделно събиране", "екологично образование"],
        "Почистваше плажове и обучаваше младежи; сдружението е прекратено и заличено от регистъра.",
        "Камен Живков Бонев", Figures(8, {YOUTH: 2, LTU: 2}, 2, 2700, 1300),
        A_EMPLOYMENT, S.DELETED, 1000,
    ),
    Profile(
        "ketaring-topla-supa", "Кетъринг „Топла супа“ ЕООД", "eood",
        ("BG-22", "Столична", "София", "1303", "ул. „Пиротска“ 87"),
        ["кетъринг", "обедни менюта", "храна за социални услуги"],
        "Кетъринг, който готви за социални услуги в София и наема хора с международна закрила.",
        "Нора Хасан Ал-Масри", Figures(12, {REFUGEES: 4, LTU: 1}, 2, 5200, 2600),
        A_EMPLOYMENT, S.DRAFT, 2,
    ),
    Profile(
        "elenski-balkan", "Кооперация „Еленски Балкан“", "cooperative",
        ("BG-04", "Елена", "Елена", "5070", "ул. „Иларион Макариополски“ 15"),
        ["овче мляко и сирене", "традиционни млечни продукти"],
        "Малка мандра на кооперативни начала в Еленския Балкан.",
        "Христо Колев Мирчев", Figures(7, {OVER55: 2, LTU: 1}, 2, 3100, 1200),
        A_EMPLOYMENT, S.DRAFT, 25,
    ),
    Profile(
        "ratse-za-grizha", "Фондация „Ръце за грижа“", "foundation",
        ("BG-22", "Столична", "София", "1336", "ж.к. „Люлин“, бл. 312, вх. Б"),
        ["почасови грижи за възрастни", "придружаване на хора с увреждания", "социален патронаж"],
        "Почасови грижи у дома в западните квартали на София; асистентките са предимно майки на деца "
        "с увреждания и безработни над 55 години.",
        "Мариана Тошева Величкова", Figures(16, {MOTHERS: 3, OVER55: 2, LTU: 1}, 4, 4400, 1800),
        A_EMPLOYMENT, S.SUBMITTED, 3,
    ),
    Profile(
        "sdruzhenie-stara-reka", "Сдружение „Стара река“", "association",
        ("BG-16", "Карлово", "Карлово", "4300", "ул. „Васил Левски“ 5"),
        ["поддръжка на обществени пространства", "почистване на дворове", "дребни ремонти"],
        "Бригади за поддръжка на паркове и училищни дворове в Карлово; в тях работят хора след "
        "лечение от зависимости и бивши лишени от свобода.",
        "Генади Стефанов Каназирев", Figures(9, {LTU: 2, PRISON: 1, ADDICTION: 1}, 2, 3000, 1300),
        A_EMPLOYMENT, S.SUBMITTED, 8,
    ),
    Profile(
        "provadiyski-gradini", "Кооперация „Провадийски градини“", "cooperative",
        ("BG-03", "Провадия", "Провадия", "9200", "ул. „Цар Освободител“ 19"),
        ["зеленчукопроизводство", "кашони със сезонни продукти", "доставки до домове"],
        "Зеленчукови градини на кооперацията и седмични кашони за семейства във Варна и Провадия.",
        "Тихомир Неделчев Русев", Figures(10, {LTU: 3, OVER55: 1}, 2, 4600, 2000),
        A_EMPLOYMENT, S.SUBMITTED, 20,
    ),
    Profile(
        "darvodelska-zelen-klon", "Дърводелска работилница „Зелен клон“ ЕООД", "eood",
        ("BG-24", "Стара Загора", "Стара Загора", "6000", "ул. „Индустриална“ 27"),
        ["дърводелство", "реставрация на мебели", "детски играчки от дърво"],
        "Реставрира стари мебели и прави дървени играчки; в работилницата работят хора с увреждания "
        "и хора след лечение от зависимости.",
        "Богдан Тенев Запрянов", Figures(8, {DISABLED: 2, ADDICTION: 1}, 1, 3700, 1500),
        A_EMPLOYMENT, S.RESUBMITTED, 40,
    ),
    Profile(
        "rabotilnitsa-tepeta", "Социална работилница „Тепетата“ ООД", "ood",
        ("BG-16", "Пловдив", "Пловдив", "4000", "ул. „Капитан Райчо“ 40"),
        ["реставрация на мебели", "тапицерски услуги", "продажба на обновени вещи"],
        "Обновява дарени мебели и ги продава на достъпни цени; наема продължително безработни и "
        "младежи, напуснали социални институции.",
        "Петя Стоянова Василева", Figures(9, {LTU: 2, INSTITUTIONS: 1, PRISON: 1}, 2, 3500, 1600, participatory=False),
        A_EMPLOYMENT, S.INFO_REQUESTED, 6,
    ),
    Profile(
        "servis-restart", "Компютърен сервиз „Рестарт“ ЕООД", "eood",
        ("BG-18", "Русе", "Русе", "7000", "ул. „Борисова“ 58"),
        ["ремонт на компютри", "обновяване на стара техника за училища", "рециклиране на електроника"],
        "Обновява дарени компютри за училища и читалища; сервизът е първа работа за младежи "
        "и хора с увреждания.",
        "Кристиан Пламенов Дончев", Figures(7, {DISABLED: 2, YOUTH: 1}, 1, 3900, 1700, social_activity=False),
        A_EMPLOYMENT, S.INFO_REQUESTED, 12,
    ),
    Profile(
        "slancheva-dolina", "Сдружение „Слънчева долина“", "association",
        ("BG-01", "Сандански", "Сандански", "2800", "ул. „Македония“ 11"),
        ["оранжерийни зеленчуци", "разсад", "пакетиране на продукти"],
        "Оранжерии край Сандански, в които работят безработни от общината.",
        "Иво Методиев Ангелов", Figures(9, {LTU: 2}, 1, 4200, 1500),
        A_EMPLOYMENT, S.REJECTED, 50,
    ),
    Profile(
        "rodopski-zanayati", "Сдружение „Родопски занаяти“", "association",
        ("BG-16", "Асеновград", "Асеновград", "4230", "ул. „Цар Иван Асен II“ 21"),
        ["медникарство", "кожени изделия", "занаятчийски курсове"],
        "Занаятчийски курсове и работилница за медни и кожени изделия.",
        "Стефан Илиев Чолаков", Figures(6, {LTU: 2, YOUTH: 1}, 1, 1900, 800),
        A_EMPLOYMENT, S.REJECTED, 15,
    ),
    Profile(
        "pechatnitsa-bukvitsa", "Печатница „Буквица“ ЕООД", "eood",
        ("BG-22", "Столична", "София", "1606", "ул. „Георги Бенковски“ 12"),
        ["печат на покани и визитки", "подвързване", "копирни услуги"],
        "Малка печатница с работещи с увреждания; оттегли заявлението си, за да го подаде след "
        "приключване на годината.",
        "Лора Емилова Кацарова", Figures(5, {DISABLED: 2}, 1, 4200, 1900),
        A_PROFIT, S.WITHDRAWN, 30,
    ),
    Profile(
        "smyah-i-trud", "Сдружение „Смях и труд“", "association",
        ("BG-07", "Габрово", "Габрово", "5300", "ул. „Радецка“ 4"),
        ["сувенири с габровски хумор", "печат върху текстил", "творчески работилници"],
        "Сувенири и тениски с габровски шеги, изработени от младежи без трудов стаж.",
        "Цветелина Ганчева Михова", Figures(5, {YOUTH: 2}, 0, 1500, 600),
        A_EMPLOYMENT, S.WITHDRAWN, 45,
    ),
]  # fmt: skip

DEMO_REPRESENTATIVE = "rabotilnitsa-tepeta"
CLERK_NAMES = {
    "lovech": "Десислава Маринова",
    "gabrovo": "Пламен Колев",
    "varna": "Светла Николова",
    "burgas": "Красимир Янев",
    "blagoevgrad": "Милена Стоянова",
    "plovdiv": "Георги Атанасов",
    NATIONAL: "Ваня Петкова (МТСП)",
}

INFO_MESSAGES = {
    "kafene-vratsata": "Моля, приложете трудовите договори на младежите от уязвими групи и документ, "
    "че са напуснали социална институция.",
    "darvodelska-zelen-klon": "Липсва формулярът за социалната добавена стойност. Моля, приложете го.",
    "rabotilnitsa-tepeta": "Моля, приложете протокол от общото събрание, от който се вижда как "
    "работещите участват в управлението.",
    "servis-restart": "Моля, опишете социалната дейност по формуляра на министерството и приложете "
    "доказателства за създадената социална добавена стойност.",
    "rodopski-zanayati": "Моля, представете годишния финансов отчет и справка за персонала по уязвими групи.",
    "smyah-i-trud": "Моля, уточнете броя на работещите и кои от тях са от уязвими групи.",
}
ANSWERS = {
    "kafene-vratsata": "Прилагаме договорите и удостоверенията от дирекция „Социално подпомагане“.",
    "darvodelska-zelen-klon": "Прилагаме попълнения формуляр и снимки от работилницата.",
    "servis-restart": "Подготвяме описание на дейността с училищата, на които сме дарили техника.",
}


# ---------------------------------------------------------------------------- ЕИК
def eik_with_check_digit(first8: str) -> str:
    """The one valid 9-digit ЕИК that starts with these 8 digits."""
    d = [int(c) for c in first8]
    s = sum(x * w for x, w in zip(d, range(1, 9), strict=True)) % 11
    if s == 10:
        s = sum(x * w for x, w in zip(d, range(3, 11), strict=True)) % 11
        s = 0 if s == 10 else s
    return first8 + str(s)


def demo_eiks(profiles: list[Profile]) -> dict[str, str]:
    """Deterministic, valid and distinct ЕИК numbers: companies start 20…, non-profits 17…, cooperatives 1…."""
    prefixes = {"ood": "20", "eood": "20", "ad": "20", "association": "17", "foundation": "17"}
    taken: set[str] = set()
    result: dict[str, str] = {}
    for profile in profiles:
        rng = random.Random(f"eik:{profile.slug}")  # noqa: S311  # demo data, not security
        prefix = prefixes.get(profile.legal_form, "1")
        while True:
            eik = eik_with_check_digit(prefix + "".join(str(rng.randrange(10)) for _ in range(8 - len(prefix))))
            if eik not in taken and is_valid_eik(eik):
                break
        taken.add(eik)
        result[profile.slug] = eik
    return result


# ---------------------------------------------------------------------------- the timeline
@dataclass
class Track:
    """One enterprise while its story is played: ids are known only once it exists."""

    profile: Profile
    number: int
    eik: str
    enterprise_id: str = ""
    application_id: str = ""

    @property
    def details(self) -> EnterpriseDetails:
        return self.profile.details(self.eik, self.number)

    @property
    def representative(self) -> Principal:
        return Principal(
            subject=f"demo-rep-{self.number}",
            roles=frozenset({Role.REPRESENTATIVE}),
            name=self.profile.representative,
            email=f"{self.profile.slug}@{EMAIL_DOMAIN}",
            email_verified=True,  # a demo person the identity provider would know
        )

    @property
    def centre(self) -> str:
        return geography().place(self.profile.place[0]).centre.id


@dataclass(order=True)
class Step:
    at: datetime
    seq: int
    label: str = field(compare=False)
    run: Callable[[], object] = field(compare=False, repr=False)


def clerk(centre: str) -> Principal:
    return Principal(
        subject=f"demo-clerk-{centre}", roles=frozenset({Role.CLERK}), name=CLERK_NAMES[centre], centre=centre
    )


def sofia_time(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=SOFIA).astimezone(UTC)


def vary(figures: Figures, rng: random.Random) -> Figures:
    """Another year's figures: the result moves, staff may grow by one person from a vulnerable group."""
    factor = rng.uniform(0.92, 1.2)
    grow = rng.random() < 0.35
    vulnerable = dict(figures.vulnerable)
    if grow:
        first = next(iter(vulnerable))
        vulnerable[first] += 1
    return replace(
        figures,
        staff=figures.staff + (1 if grow else 0),
        vulnerable=vulnerable,
        result_eur=round(figures.result_eur * factor, 2),
        social_eur=round(figures.social_eur * factor, 2),
    )


class Planner:
    """Turns the profiles into dated use-case calls on one shared timeline."""

    def __init__(self, service: RegistryService, policy: RegistryPolicy, now: datetime) -> None:
        self.service = service
        self.policy = policy
        self.now = now
        self.today = now.astimezone(SOFIA).date()
        self.steps: list[Step] = []
        self.orders: Counter[int] = Counter()
        self.last_check = self._last_check_day()

    # ------------------------------------------------------------ helpers
    def day(self, days_ago: int) -> date:
        return self.today - timedelta(days=days_ago)

    def add(self, day: date, hour: int, label: str, run: Callable[[], object], minute: int = 0) -> None:
        at = sofia_time(day, hour, minute)
        if at >= self.now:
            raise ValueError(f"demo step {label!r} would be in the future ({at.isoformat()})")
        self.steps.append(Step(at, len(self.steps), label, run))

    def order(self) -> Order:
        day = self.service.clock.now().astimezone(SOFIA).date()
        self.orders[day.year] += 1
        return Order(f"РД01-{self.orders[day.year]:03d}", day)

    def _last_check_day(self) -> date:
        stop = self.today - timedelta(days=CHECKS_STOP_DAYS)
        return stop.replace(day=1)

    def overdue_year(self) -> int:
        """The latest year whose report deadline the loader's own checks have seen pass."""
        year = self.last_check.year - 1
        while self.policy.annual_report_due(year) >= self.last_check:
            year -= 1
        return year

    def approval_day_for_expiry(self, valid_until: date, cls: EnterpriseClass) -> date:
        years = self.policy.validity_years_a_plus if cls is EnterpriseClass.A_PLUS else self.policy.validity_years_a
        day = add_years(valid_until + timedelta(days=1), -years)
        while self.policy.validity_until(cls, day) > valid_until:
            day -= timedelta(days=1)
        while self.policy.validity_until(cls, day) < valid_until:
            day += timedelta(days=1)
        return day

    # ------------------------------------------------------------ use cases, delayed
    def start(self, t: Track, day: date, request: ApplicationRequest | None = None) -> None:
        def run() -> None:
            enterprise = self.service.start_application(t.representative, t.details, request or t.profile.request())
            t.enterprise_id = enterprise.id
            t.application_id = _application_id(enterprise)

        self.add(day, 9, f"{t.profile.slug}: start", run, minute=t.number)

    def submit(self, t: Track, day: date) -> None:
        self.add(day, 14, f"{t.profile.slug}: submit", lambda: self.service.submit(t.representative, t.application_id))

    def ask(self, t: Track, day: date) -> None:
        message = INFO_MESSAGES[t.profile.slug]
        self.add(
            day,
            11,
            f"{t.profile.slug}: request information",
            lambda: self.service.request_information(clerk(t.centre), t.application_id, message),
        )

    def answer(self, t: Track, day: date) -> None:
        text = ANSWERS[t.profile.slug]
        self.add(
            day,
            16,
            f"{t.profile.slug}: answer",
            lambda: self.service.answer_information_request(t.representative, t.application_id, text),
        )

    def amend(self, t: Track, day: date, request: ApplicationRequest | None, details: EnterpriseDetails | None) -> None:
        self.add(
            day,
            15,
            f"{t.profile.slug}: amend",
            lambda: self.service.amend_application(t.representative, t.application_id, details, request),
        )

    def approve(self, t: Track, day: date) -> None:
        self.add(
            day,
            12,
            f"{t.profile.slug}: approve",
            lambda: self.service.approve(clerk(t.centre), t.application_id, self.order()),
            minute=30,
        )

    def reject(self, t: Track, day: date, reasons: list[str]) -> None:
        self.add(
            day,
            12,
            f"{t.profile.slug}: reject",
            lambda: self.service.reject(clerk(t.centre), t.application_id, reasons),
        )

    def withdraw(self, t: Track, day: date) -> None:
        self.add(
            day, 10, f"{t.profile.slug}: withdraw", lambda: self.service.withdraw(t.representative, t.application_id)
        )

    def renew(self, t: Track, day: date, request: ApplicationRequest) -> None:
        def run() -> None:
            enterprise = self.service.apply_for_renewal(t.representative, t.enterprise_id, request)
            t.application_id = _application_id(enterprise)

        self.add(day, 10, f"{t.profile.slug}: apply for renewal", run)

    def report(self, t: Track, day: date, year: int, figures: Figures) -> None:
        vulnerable = sum(figures.vulnerable.values())
        note = f"Годишна информация за {year} г.: персонал {figures.staff} души, от тях {vulnerable} от уязвими групи."
        self.add(
            day,
            13,
            f"{t.profile.slug}: report {year}",
            lambda: self.service.submit_annual_report(
                t.representative, t.enterprise_id, year, figures.evidence(), note
            ),
        )

    def daily_checks(self, day: date) -> None:
        self.add(day, 5, "daily checks", self.service.run_daily_checks)

    # ------------------------------------------------------------ stories
    def application(self, t: Track, approved: date, rng: random.Random) -> None:
        """Start, submit and approve, ending on ``approved``."""
        submitted = approved - timedelta(days=rng.randint(5, 12))
        self.start(t, submitted - timedelta(days=rng.randint(4, 25)))
        self.submit(t, submitted)
        self.approve(t, approved)

    def entry_life(
        self, t: Track, approved: date, rng: random.Random, *, end: date | None = None, renewals: bool = True
    ) -> None:
        """Renewals while validity would run out before today (+ a margin), then yearly reports."""
        profile = t.profile
        cls = profile.spec[0]
        until = self.policy.validity_until(cls, approved)
        renew_spec = profile.spec
        if profile.scenario is Scenario.UPGRADE:
            renew_spec = A_PLUS_AREA
        while renewals and until <= self.today + timedelta(days=RENEW_IF_VALID_WITHIN_DAYS):
            started = until - timedelta(days=rng.randint(120, 160))
            if end is not None and started >= end:
                break
            submitted = started + timedelta(days=rng.randint(1, 4))
            self.renew(t, started, profile.request(self.varied(profile, rng, renew_spec), renew_spec))
            self.submit(t, submitted)
            self.approve(t, submitted + timedelta(days=rng.randint(5, 12)))
            cls = renew_spec[0]
            until = self.policy.validity_until(cls, until + timedelta(days=1))
        if end is None and not renewals:
            end = until + timedelta(days=1)
        self.reports(t, approved, rng, end)

    def reports(self, t: Track, approved: date, rng: random.Random, end: date | None) -> None:
        scenario = t.profile.scenario
        skipped = self.overdue_year() if scenario is Scenario.OVERDUE_REPORT else None
        for year in range(approved.year, self.today.year):
            if year == skipped:
                continue
            day = date(year + 1, rng.randint(2, 5), rng.randint(1, 20))
            if scenario is Scenario.LATE_REPORT and year == approved.year and date(year + 1, 6, 1) <= self.last_check:
                day = date(year + 1, 7, rng.randint(5, 25))  # flagged overdue on 1 June, then submitted
            if day >= self.today or (end is not None and day >= end):
                continue
            self.report(t, day, year, self.report_figures(t.profile, rng))

    def report_figures(self, profile: Profile, rng: random.Random) -> Figures:
        if profile.scenario is Scenario.CLASS_DOWN:  # more staff, fewer of them in work for 6 months
            base = profile.figures
            return replace(base, staff=base.staff + 6, vulnerable={**base.vulnerable, LTU: base.vulnerable[LTU] + 1})
        return self.varied(profile, rng, A_PLUS_AREA if profile.scenario is Scenario.UPGRADE else profile.spec)

    def varied(self, profile: Profile, rng: random.Random, spec: ClassSpec) -> Figures:
        """Another year's figures that still meet the class asked for (else the application's own)."""
        figures = vary(profile.figures, rng)
        met = assess(figures.evidence(), spec[0], spec[1], spec[2], self.policy.thresholds).requested_met
        return figures if met else profile.figures

    def plan(self, t: Track) -> None:
        rng = random.Random(f"story:{t.profile.slug}")  # noqa: S311  # demo data, not security
        story = STORIES[t.profile.scenario]
        story(self, t, rng)

    def plan_checks(self, first: date) -> None:
        day = date(first.year, first.month, 1)
        while day <= self.last_check:
            self.daily_checks(day)
            day = (day + timedelta(days=32)).replace(day=1)


def _application_id(enterprise: Enterprise) -> str:
    assert enterprise.application is not None
    return enterprise.application.id


# ------------------------------------------------------------------------------- the stories
def story_registered(p: Planner, t: Track, rng: random.Random) -> None:
    approved = p.day(t.profile.days)
    p.application(t, approved, rng)
    p.entry_life(t, approved, rng)


def story_updated(p: Planner, t: Track, rng: random.Random) -> None:
    story_registered(p, t, rng)
    district, municipality, settlement, postcode, _ = t.profile.place
    changed = replace(
        t.profile, website=True, place=(district, municipality, settlement, postcode, "ул. „Славянска“ 3")
    )
    details = changed.details(t.eik, t.number)
    p.add(
        p.day(rng.randint(40, 120)),
        10,
        f"{t.profile.slug}: update details",
        lambda: p.service.update_details(t.representative, t.enterprise_id, details, None),
    )


def story_info_then_approved(p: Planner, t: Track, rng: random.Random) -> None:
    approved = p.day(t.profile.days)
    submitted = approved - timedelta(days=16)
    p.start(t, submitted - timedelta(days=10))
    p.submit(t, submitted)
    p.ask(t, submitted + timedelta(days=6))
    p.answer(t, submitted + timedelta(days=9))
    p.submit(t, submitted + timedelta(days=10))
    p.approve(t, approved)
    p.entry_life(t, approved, rng)


def story_rejected_then_approved(p: Planner, t: Track, rng: random.Random) -> None:
    first = p.day(t.profile.days + 400)
    weak = replace(t.profile.figures, social_eur=6200)
    p.start(t, first - timedelta(days=12), t.profile.request(weak))
    p.submit(t, first - timedelta(days=10))
    p.reject(
        t,
        first,
        [
            "Критерий A3a не е изпълнен: за социални цели са изразходвани 41,9% от резултата след данъци, "
            "а са нужни над 50%.",
            "Предприятието може да кандидатства отново с отчета за следващата година.",
        ],
    )
    p.start(t, p.day(t.profile.days + 30))  # the same representative applies again: a new application
    p.submit(t, p.day(t.profile.days + 9))
    p.approve(t, p.day(t.profile.days))
    p.entry_life(t, p.day(t.profile.days), rng)


def story_class_down(p: Planner, t: Track, rng: random.Random) -> None:
    story_registered(p, t, rng)
    reason = (
        "Годишната информация показва, че вече по-малко от 30% от персонала са лица от уязвими групи "
        "с 6 месеца непрекъсната заетост; предприятието продължава да отговаря на клас А."
    )
    p.add(
        p.day(35),
        11,
        f"{t.profile.slug}: class A+ -> A",
        lambda: p.service.change_class(clerk(t.centre), t.enterprise_id, EnterpriseClass.A, reason),
    )


def story_expiring(days_left: int) -> Callable[[Planner, Track, random.Random], None]:
    def story(p: Planner, t: Track, rng: random.Random) -> None:
        approved = p.approval_day_for_expiry(p.today + timedelta(days=days_left), t.profile.spec[0])
        p.application(t, approved, rng)
        p.entry_life(t, approved, rng, renewals=False)
        if days_left <= 30:  # the renewal is in the queue while the certificate runs out
            p.renew(t, p.day(9), t.profile.request(p.varied(t.profile, rng, t.profile.spec)))
            p.submit(t, p.day(4))

    return story


def story_expired(p: Planner, t: Track, rng: random.Random) -> None:
    approved = p.approval_day_for_expiry(p.day(EXPIRED_DAYS_AGO), t.profile.spec[0])
    p.application(t, approved, rng)
    p.entry_life(t, approved, rng, renewals=False)


def story_deleted(p: Planner, t: Track, rng: random.Random) -> None:
    approved = p.day(t.profile.days)
    deleted = p.day(200)
    p.application(t, approved, rng)
    p.entry_life(t, approved, rng, end=deleted)
    note = "Сдружението е прекратено с решение на общото събрание и е в ликвидация."
    national = clerk(NATIONAL)
    p.add(
        deleted,
        11,
        f"{t.profile.slug}: delete",
        lambda: p.service.delete(national, t.enterprise_id, p.order(), "dissolution", note),
    )


def story_draft(p: Planner, t: Track, rng: random.Random) -> None:
    p.start(t, p.day(t.profile.days))
    if t.profile.days > 10:
        more = replace(t.profile, activities=[*t.profile.activities, "кашкавал и извара"])
        p.amend(t, p.day(t.profile.days - 4), None, more.details(t.eik, t.number))


def story_submitted(p: Planner, t: Track, rng: random.Random) -> None:
    submitted = p.day(t.profile.days)
    p.start(t, submitted - timedelta(days=rng.randint(3, 15)))
    p.submit(t, submitted)


def story_resubmitted(p: Planner, t: Track, rng: random.Random) -> None:
    """Asked for information 5 days after submission, resubmitted 10 days later: 9 days left, now overdue."""
    submitted = p.day(t.profile.days)
    p.start(t, submitted - timedelta(days=6))
    p.submit(t, submitted)
    p.ask(t, submitted + timedelta(days=5))
    p.answer(t, submitted + timedelta(days=14))
    p.submit(t, submitted + timedelta(days=15))


def story_info_requested(p: Planner, t: Track, rng: random.Random) -> None:
    asked = p.day(t.profile.days)
    p.start(t, asked - timedelta(days=14))
    p.submit(t, asked - timedelta(days=8))
    p.ask(t, asked)
    if t.profile.slug in ANSWERS:
        p.answer(t, asked + timedelta(days=3))


def story_rejected(p: Planner, t: Track, rng: random.Random) -> None:
    decided = p.day(t.profile.days)
    if t.profile.slug in INFO_MESSAGES:  # asked, never answered, rejected
        p.start(t, decided - timedelta(days=62))
        p.submit(t, decided - timedelta(days=55))
        p.ask(t, decided - timedelta(days=48))
        reasons = ["Изисканата информация не е представена в срок.", "Не са доказани критериите за клас А."]
    else:
        p.start(t, decided - timedelta(days=20))
        p.submit(t, decided - timedelta(days=11))
        reasons = [
            "Критерий A3b не е изпълнен: от уязвими групи са 2 от 9 души (22,2%), а са нужни поне 30% и поне 3 души."
        ]
    p.reject(t, decided, reasons)


def story_withdrawn(p: Planner, t: Track, rng: random.Random) -> None:
    withdrawn = p.day(t.profile.days)
    p.start(t, withdrawn - timedelta(days=20))
    p.submit(t, withdrawn - timedelta(days=12))
    if t.profile.slug in INFO_MESSAGES:
        p.ask(t, withdrawn - timedelta(days=6))
    p.withdraw(t, withdrawn)


STORIES: dict[Scenario, Callable[[Planner, Track, random.Random], None]] = {
    Scenario.REGISTERED: story_registered,
    Scenario.UPDATED: story_updated,
    Scenario.INFO_THEN_APPROVED: story_info_then_approved,
    Scenario.REJECTED_THEN_APPROVED: story_rejected_then_approved,
    Scenario.LATE_REPORT: story_registered,
    Scenario.OVERDUE_REPORT: story_registered,
    Scenario.UPGRADE: story_registered,
    Scenario.CLASS_DOWN: story_class_down,
    Scenario.EXPIRING_60: story_expiring(EXPIRING_SOON_DAYS[0]),
    Scenario.EXPIRING_30: story_expiring(EXPIRING_SOON_DAYS[1]),
    Scenario.EXPIRED: story_expired,
    Scenario.DELETED: story_deleted,
    Scenario.DRAFT: story_draft,
    Scenario.SUBMITTED: story_submitted,
    Scenario.RESUBMITTED: story_resubmitted,
    Scenario.INFO_REQUESTED: story_info_requested,
    Scenario.REJECTED: story_rejected,
    Scenario.WITHDRAWN: story_withdrawn,
}


# ---------------------------------------------------------------------------- loading
class StagedRepository:
    """The enterprises being played, kept as documents until they are written with ``add``.

    FerretDB on SQLite filters outside its index (every ``with_eik`` or ``get_by_application``
    reads the whole collection), so writing each of the few hundred steps through the database
    takes minutes. Here each step still saves the document the MongoDB adapter would write
    (``to_document``) and reads it back (``from_document``); ``flush_into`` then inserts each
    enterprise with its whole history and every event of its outbox, in one ``add``.
    """

    def __init__(self) -> None:
        self._documents: dict[str, dict[str, Any]] = {}
        self._outboxes: dict[str, list[OutboxEntry]] = {}

    def _one(self, match: Callable[[dict[str, Any]], bool]) -> Enterprise:
        document = next((d for d in self._documents.values() if match(d)), None)
        if document is None:
            raise NotFound(Text("Не е намерено.", "Not found."))
        return from_document(document)

    def get(self, enterprise_id: str) -> Enterprise:
        return self._one(lambda d: d["_id"] == enterprise_id)

    def get_by_application(self, application_id: str) -> Enterprise:
        return self._one(lambda d: application_id in d["application_ids"])

    def find_registered_by_eik(self, eik: str) -> Enterprise | None:
        document = next((d for d in self._documents.values() if d["registered_eik"] == eik), None)
        return from_document(document) if document else None

    def with_eik(self, eik: str) -> list[Enterprise]:
        return [from_document(d) for d in self._documents.values() if d["eik"] == eik]

    def ids_with_drafts(self) -> Iterable[str]:
        return [i for i, d in self._documents.items() if d["application_status"] == "draft"]

    def add(self, enterprise: Enterprise, outbox: list[OutboxEntry]) -> None:
        if self.with_eik(enterprise.details.eik):
            raise Conflict(Text("Вече има заявление с този ЕИК.", "An application with this ЕИК exists."))
        enterprise.version = 1
        self._documents[enterprise.id] = to_document(enterprise)
        self._outboxes[enterprise.id] = list(outbox)

    def save(self, enterprise: Enterprise, outbox: list[OutboxEntry]) -> None:
        current = self._documents.get(enterprise.id)
        if current is None or current["version"] != enterprise.version:
            raise StaleVersion()
        enterprise.version += 1
        self._documents[enterprise.id] = to_document(enterprise)
        self._outboxes[enterprise.id].extend(outbox)

    def ids_with_active_entries(self) -> Iterable[str]:
        return [i for i, d in self._documents.items() if d["register_status"] == "active"]

    def flush_into(self, repository: MongoEnterpriseRepository) -> None:
        """Insert every staged enterprise (in the order they were created) with its pending events."""
        for enterprise_id, document in self._documents.items():
            repository.add(from_document(document), self._outboxes[enterprise_id])
        self._documents.clear()
        self._outboxes.clear()


@dataclass(frozen=True)
class LoadResult:
    created: int
    skipped: int
    steps: int


def existing_eiks(db: Database) -> set[str]:
    """The ЕИК numbers already in the register, read in one pass."""
    return {d["eik"] for d in db[ENTERPRISES].find({}, {"eik": 1, "_id": 0})}


def load(
    db: Database,
    policy: RegistryPolicy,
    now: datetime,
    profiles: list[Profile] | None = None,
    *,
    direct: bool = False,
) -> LoadResult:
    """Play every profile whose ЕИК is not in the register yet, ending at ``now``.

    With ``direct`` every step is written to the database as it happens (slow on FerretDB);
    otherwise the steps run on a `StagedRepository` and each enterprise is inserted at the end.
    """
    profiles = PROFILES if profiles is None else profiles
    eiks = demo_eiks(profiles)
    mongo = MongoEnterpriseRepository(db)
    staged = None if direct else StagedRepository()
    clock = FixedClock(now)
    service = RegistryService(staged or mongo, MongoNumberSeries(db), REGISTRY_EVENTS, policy, clock)
    planner = Planner(service, policy, now)
    tracks = [Track(profile, number, eiks[profile.slug]) for number, profile in enumerate(profiles, start=1)]
    present = existing_eiks(db)
    new = [t for t in tracks if t.eik not in present]
    for track in new:
        planner.plan(track)
    if planner.steps:
        planner.plan_checks(min(step.at for step in planner.steps).astimezone(SOFIA).date())
    for step in sorted(planner.steps):
        clock.advance(seconds=(step.at - clock.now()).total_seconds())
        with correlation_scope(None):
            try:
                step.run()
            except Exception as exc:
                exc.add_note(f"demo data step: {step.label} at {step.at.isoformat()}")
                raise
    if staged is not None:
        staged.flush_into(mongo)
    return LoadResult(created=len(new), skipped=len(tracks) - len(new), steps=len(planner.steps))


# ---------------------------------------------------------------------------- reporting
def summarise(db: Database, now: datetime) -> dict[str, Any]:
    """Counts straight from the documents, as the API and the scheduler will see them."""
    today = now.astimezone(SOFIA).date()
    docs = list(
        db[ENTERPRISES].find(
            {},
            {
                "application_status": 1,
                "application_due_at": 1,
                "register_status": 1,
                "enterprise_class": 1,
                "district": 1,
                "valid_until": 1,
                "has_overdue_report": 1,
                "outbox": 1,
            },
        )
    )
    active = [d for d in docs if d.get("register_status") == "active"]
    days_left = [(date.fromisoformat(d["valid_until"]) - today).days for d in active]
    submitted = [d for d in docs if d.get("application_status") == "submitted"]
    return {
        "enterprises": len(docs),
        "applications": Counter(d.get("application_status") or "none" for d in docs),
        "overdue": sum(1 for d in submitted if d.get("application_due_at") and d["application_due_at"] < now),
        "register": Counter(d["register_status"] for d in docs if d.get("register_status")),
        "classes": Counter(d["enterprise_class"] for d in active),
        "districts": len({d["district"] for d in docs}),
        "expiring_60": sum(1 for n in days_left if 0 <= n <= 60),
        "expiring_30": sum(1 for n in days_left if 0 <= n <= 30),
        "overdue_reports": sum(1 for d in active if d.get("has_overdue_report")),
        "outbox": sum(len(d.get("outbox") or []) for d in docs),
    }


STATUS_ORDER = ("draft", "submitted", "information_requested", "approved", "rejected", "withdrawn")


def summary_lines(summary: dict[str, Any], result: LoadResult, database: str, seconds: float) -> list[str]:
    apps, register, classes = summary["applications"], summary["register"], summary["classes"]
    statuses = ", ".join(
        f"{s} {apps.get(s, 0)}" + (f" ({summary['overdue']} overdue)" if s == "submitted" else "") for s in STATUS_ORDER
    )
    return [
        f"Demo data in database '{database}': {summary['enterprises']} enterprises "
        f"({result.created} added, {result.skipped} already there; {result.steps} steps in {seconds:.1f} s).",
        f"Applications: {statuses}.",
        f"Register: active {register.get('active', 0)} (A {classes.get('A', 0)}, A+ {classes.get('A+', 0)}), "
        f"expired {register.get('expired', 0)}, deleted {register.get('deleted', 0)}; "
        f"districts covered {summary['districts']}/{len(geography().districts)}.",
        f"For the scheduler: certificates expiring within 60 days {summary['expiring_60']} "
        f"(within 30: {summary['expiring_30']}); overdue annual reports {summary['overdue_reports']}.",
        f"Outbox: {summary['outbox']} events waiting for registry-relay.",
    ]


def token_lines(db: Database, codec: TokenCodec, hours: float) -> list[str]:
    """Development tokens for people who want to try the API at once."""
    eiks = demo_eiks(PROFILES)
    number, profile = next((n, p) for n, p in enumerate(PROFILES, start=1) if p.slug == DEMO_REPRESENTATIVE)
    found = next(iter(MongoEnterpriseRepository(db).with_eik(eiks[profile.slug])), None)
    track = Track(profile, number, eiks[profile.slug])
    rep = replace(track.representative, enterprise_id=found.id if found else None)
    plovdiv, national = clerk("plovdiv"), clerk(NATIONAL)
    admin = Principal(subject="demo-admin", roles=frozenset({Role.ADMIN}), name="Демо администратор")
    ttl = timedelta(hours=hours)
    return [
        f"Development tokens (valid {hours:g} h; send as 'Authorization: Bearer <token>'):",
        f"# representative {rep.subject}: {rep.name}, {profile.name} (Пловдив), asked for more information",
        f"REPRESENTATIVE_TOKEN={codec.encode(rep, ttl)}",
        f"# clerk {plovdiv.subject}: {plovdiv.name}, Plovdiv regional centre",
        f"PLOVDIV_CLERK_TOKEN={codec.encode(plovdiv, ttl)}",
        f"# clerk {national.subject}: {national.name}, all centres",
        f"NATIONAL_CLERK_TOKEN={codec.encode(national, ttl)}",
        f"# administrator {admin.subject}",
        f"ADMIN_TOKEN={codec.encode(admin, ttl)}",
    ]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Load fictional demo enterprises into the register.")
    parser.add_argument("--reset", action="store_true", help="drop the registry database first")
    parser.add_argument("--token-hours", type=float, default=12.0, help="validity of the printed tokens")
    parser.add_argument(
        "--direct", action="store_true", help="write every step to the database as it happens (slow on FerretDB)"
    )
    args = parser.parse_args(argv)

    started = time.monotonic()
    config = RegistryConfig.from_env()
    settings = config.settings
    client = connect(settings.mongodb_uri, app_name=f"{SERVICE}-demo-data")
    try:
        if args.reset:
            client.drop_database(settings.mongodb_database)
        db = client[settings.mongodb_database]
        ensure_indexes(db, INDEXES)
        now = SystemClock().now()
        result = load(db, config.policy, now, direct=args.direct)
        lines = summary_lines(summarise(db, now), result, settings.mongodb_database, time.monotonic() - started)
        print("\n".join([*lines, "", *token_lines(db, TokenCodec.from_settings(settings), args.token_hours)]))
    finally:
        client.close()


if __name__ == "__main__":
    main()

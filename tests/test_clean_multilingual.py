"""Cleaning in languages other than English: the boilerplate shapes go, story text that shares their words stays."""
from __future__ import annotations

import pytest

from ingest.clean import clean_lines, is_call_to_action, is_teaser_or_ad, is_timestamp_line
from ingest.extract import extract_article

STORY = [
    "Der Stadtrat hat am Dienstagabend nach langer Debatte den Haushalt für das kommende Jahr beschlossen.",
    "Le conseil municipal a adopté mardi soir le budget de l'année prochaine après un long débat.",
    "Городская дума во вторник вечером после долгих споров утвердила бюджет на следующий год.",
]

BOILERPLATE = {
    "calls": [
        "Jetzt unseren WhatsApp-Kanal abonnieren!",
        "Folgen Sie uns auf Facebook, Instagram und X",
        "» Hier unseren Newsletter abonnieren",
        "Suivez-nous sur Facebook, X et Instagram",
        "Rejoignez notre chaîne WhatsApp",
        "Síguenos en Facebook, X e Instagram",
        "Siga-nos no Instagram e no Telegram",
        "Seguici su Facebook e Instagram",
        "Volg ons op Instagram",
        "Obserwuj nas w Google News",
        "Sledujte nás na Facebooku",
        "Подписывайтесь на наш Telegram-канал, чтобы первыми узнавать новости",
        "Подпишитесь на нашу рассылку",
        "Следите за нами во ВКонтакте и Одноклассниках",
        "👉 Читайте нас в Дзене",
        "हमें फेसबुक, ट्विटर और इंस्टाग्राम पर फॉलो करें",
        "ताज़ा खबरों के लिए हमारा टेलीग्राम चैनल जॉइन करें",
        "हमारे न्यूज़लेटर की सदस्यता लें",
        "Поделиться ВКонтакте Одноклассники Telegram",
        "Folgst du schon 20 Minuten auf Whatsapp?",
        "Følg oss på Facebook",
        "Subscribe Now!", "Suscríbete", "Jetzt abonnieren",
    ],
    "teasers": [
        "Lesen Sie auch: Neue Radwege für die Innenstadt",
        "Das könnte Sie auch interessieren:",
        "À lire aussi : Les meilleures plages de la côte",
        "Lee también: Así será el tiempo este fin de semana",
        "Leia também: Governo anuncia novo pacote",
        "Leggi anche: Il meteo del weekend",
        "Lees ook: Kabinet presenteert begroting",
        "Czytaj także: Rząd przyjął budżet",
        "Czytaj więcej",
        "Čtěte také: Vláda schválila rozpočet",
        "Читайте также: В Москве открыли новую станцию метро",
        "По теме:",
        "यह भी पढ़ें: दिल्ली में आज फिर बढ़े पेट्रोल के दाम",
        "ये भी पढ़ें: इन राज्यों में अगले हफ्ते बदलेगा मौसम",
        "À lire aussi La natalité russe menacée d’effondrement",
        "Les også: Regjeringen legger fram budsjettet",
        "Läs också: Regeringen presenterar budgeten",
        "Ähnliche Artikel",
        "Noticia relacionada",
    ],
    "ads": [
        "Anzeige", "Weiter nach der Anzeige", "Publicité", "La suite après la publicité", "PUBLICIDAD",
        "Publicidade", "Pubblicità", "Advertentie", "Reklama", "Реклама", "Продолжение ниже", "विज्ञापन",
        "Passer la publicité", "Annonse",
    ],
    "timestamps": [
        "Mis à jour le 20/08/2024 à 11h32",
        "Publié le 20 août 2024 à 11 h 32",
        "Aktualisiert am 20.08.2024, 11:32 Uhr",
        "Actualizado: 20 de agosto de 2024 a las 11:32",
        "Atualizado em 20/08/2024 às 11h32",
        "Aggiornato il 20 agosto 2024 alle 11:32",
        "Bijgewerkt op 20 augustus 2024 om 11:32",
        "Zaktualizowano: 20 sierpnia 2024, 11:32",
        "Обновлено 20 августа 2024 г. в 11:32",
        "Опубликовано: 20.08.2024 11:32 МСК",
        "अपडेटेड: 20 अगस्त 2024, 11:32 AM IST",
        "प्रकाशित: undefined",
        "vor 2 Stunden",
        "2 часа назад",
        "Uppdaterad 15.59 | Publicerad 14.14",
    ],
}


@pytest.mark.parametrize("line", [line for lines in BOILERPLATE.values() for line in lines])
def test_boilerplate_line_is_removed(line):
    assert clean_lines([STORY[0], line, STORY[1]]) == STORY[:2], line


# Story text that shares words with the shapes above: long lines, quotes, calls that are not ours.
SURVIVORS = [
    # A long German sentence quoting a Telegram channel, and one that opens with "Folgen Sie".
    "Auf seinem Telegram-Kanal schrieb der Bürgermeister am Abend, man werde die Brücke bis Ende des Monats freigeben.",
    "Folgen Sie dem Geld, schrieb der Aktivist auf seinem Telegram-Kanal, und Sie verstehen, warum das Projekt scheiterte.",
    "Mehr als 20.000 Menschen abonnieren inzwischen den WhatsApp-Kanal der Feuerwehr.",
    "Die Nutzer können den Kanal jederzeit abonnieren.",
    "Folgt man unseren Recherchen, wusste der Minister davon.",
    # French sentences that open with "Suivez" and are story text.
    "Suivez l'argent, disait le juge, et vous trouverez nos coupables : la formule a fait le tour du palais.",
    "Suivez le regard des habitants du quartier nord : c'est là que les travaux commenceront dès le printemps.",
    "« Suivez-nous sur Facebook », lançait l'affiche de campagne, reprise depuis par l'opposition.",
    # Russian: a quote with "реклама", a sentence opening with it, a call someone else made.
    "«Реклама на фасадах исторических зданий будет запрещена», — заявил глава комитета.",
    "Реклама на фасадах исторических зданий будет запрещена с 1 сентября.",
    "Подписывайтесь, говорил он студентам, на все газеты города, и читайте их до последней строки, включая объявления.",
    # Hindi: a sentence about Facebook and a channel.
    "कंपनी ने बताया कि फेसबुक पर उसके चैनल को पिछले महीने दस लाख से ज़्यादा लोगों ने देखा।",
    # Teaser and ad words inside sentences.
    "Lesen Sie auch die Anzeige genau, rät die Verbraucherzentrale, bevor Sie einen Vertrag unterschreiben.",
    "Publicidad engañosa: la multa asciende a 300.000 euros, según la resolución publicada el martes.",
    "Deel van onze stad staat nog onder water.",
    "Share prices at our partner company fell.",
    # "Read also" words running into a sentence rather than a headline.
    "Lesen Sie auch den Beipackzettel genau, rät die Apothekerin.",
    "Zum Thema Wohnungsbau sagte der Minister, die Pläne seien solide.",
    # Numbers that are not dates.
    "2 a 1",
    "Share prices at our partner company fell 3 percent in early trading on Tuesday, the steepest drop since 2020.",
]


@pytest.mark.parametrize("line", SURVIVORS)
def test_story_line_sharing_boilerplate_words_survives(line):
    assert clean_lines([STORY[0], line, STORY[1]]) == [STORY[0], line, STORY[1]], line


def test_the_shape_rules_name_what_they_match():
    assert is_call_to_action("Jetzt unseren WhatsApp-Kanal abonnieren!")
    assert not is_call_to_action("Folgen Sie dem Geld, schrieb der Aktivist auf seinem Telegram-Kanal, und Sie "
                                 "verstehen, warum das Projekt scheiterte.")
    assert is_teaser_or_ad("Реклама") and not is_teaser_or_ad("«Реклама на фасадах будет запрещена», — заявил он.")
    assert is_timestamp_line("Mis à jour le 20/08/2024 à 11h32") and not is_timestamp_line("2 a 1")


def page(paragraphs: list[str], title: str, lang: str) -> str:
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    return (f'<html lang="{lang}"><head><title>{title}</title></head><body><article><h1>{title}</h1>'
            f"{body}</article></body></html>")


def test_russian_page_end_to_end():
    story = [
        STORY[2],
        "«Реклама на фасадах исторических зданий будет запрещена», — заявил глава комитета Иван Петров.",
        "Депутаты также одобрили ремонт трёх школ и строительство новой линии трамвая в северных районах.",
        "Оппозиция назвала бюджет нереалистичным и пообещала обжаловать решение в суде.",
    ]
    junk = ["Реклама", "Читайте также: В Москве открыли новую станцию метро",
            "Подписывайтесь на наш Telegram-канал, чтобы первыми узнавать новости", "Обновлено 20 августа 2024 г. в 11:32"]
    paragraphs = [story[0], junk[0], story[1], junk[1], story[2], junk[2], story[3], junk[3]]
    article = extract_article(page(paragraphs, "Дума утвердила бюджет", "ru"), "https://example.ru/news/budget")
    assert article.text.splitlines() == story

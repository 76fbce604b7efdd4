"""Text cleaning: the boilerplate lines trafilatura leaves in an article body.

Every rule looks at the *shape* of one line (short label, placeholder value, a call to
follow/join/subscribe, an ad label, a teaser) and never at a site's own words, so it holds
on sites we have never seen. Long lines are never judged boilerplate by shape alone: a rule
that could match a real sentence is limited to short lines. Site-specific lines are learned
elsewhere (boilerplate learning across a site's articles) and compared through
`normalize_line`.

The words the shapes are made of (labels, call verbs, channel names, months) come from a
small lexicon per language below; adding a language means adding its row, not a rule.
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache

# Python's \w leaves out the vowel signs of Indic scripts (Devanagari "फॉलो" is not one \w
# run), so \b cuts inside their words: edges are "no letter, digit or Indic sign beside it".
_LETTER = r"\w\u0900-\u0dff"
_L = rf"(?<![{_LETTER}])"
_R = rf"(?![{_LETTER}])"


def _words(*rows: str) -> str:
    """One alternation from lexicon rows of `|`-separated terms (each row one language)."""
    return "|".join(unicodedata.normalize("NFC", row) for row in rows)


# Values a CMS template renders when the field it should fill is empty.
_PLACEHOLDER = (
    r"(?:undefined|null|nil|none|nan|n/?a|tbd|tba|true|false|invalid\s+date|\[object\s+object\]|"
    r"\{\{[^}]*\}\}|\$\{[^}]*\}|%[a-z_]+%|-{1,3}|—|–|\.{2,3}|…|0{1,2}:0{2}|0000-00-00)"
)
# Labels of timestamp widgets ("Updated on", "Mis à jour le", "Обновлено"), one row per language.
_DATE_LABEL = "(?:" + _words(
    r"(?:last\s+|first\s+)?(?:published|updated|modified|posted|created|edited|released|uploaded|dated?|time|on)"
    r"(?:\s+(?:on|at))?",
    r"(?:zuletzt\s+)?(?:veröffentlicht|aktualisiert|erstellt|geändert)(?:\s+am)?|stand|datum",
    r"(?:dernière\s+)?(?:publié|mis\s+à\s+jour|mise\s+à\s+jour|modifié|actualisé)(?:\s+le)?",
    r"(?:última\s+)?(?:publicado|actualizado|actualización)(?:\s+el|\s+a\s+las)?|fecha",
    r"(?:publicado|atualizado|atualização)(?:\s+em|\s+às)?",
    r"(?:pubblicato|aggiornato|ultimo\s+aggiornamento)(?:\s+il|\s+alle)?",
    r"(?:laatst\s+)?(?:gepubliceerd|bijgewerkt|geplaatst)(?:\s+op)?",
    r"publicerad|uppdaterad|publisert|oppdatert|udgivet|opdateret",
    r"opublikowano|zaktualizowano|aktualizacja|data\s+(?:publikacji|aktualizacji)",
    r"publikováno|aktualizováno|vydáno|aktualizace",
    r"опубликовано|обновлено|обновлен[оа]?|изменено|дата\s+(?:публикации|обновления)",
    r"प्रकाशित|प्रकाशन\s+तिथि|अपडेटेड|अपडेट(?:\s+किया\s+गया)?|अंतिम\s+अपडेट|लास्ट\s+अपडेट|पब्लिश्ड",
) + ")"
# "Label: placeholder" for any short label, or a bare placeholder on its own line.
_PLACEHOLDER_LINE = re.compile(
    rf"^(?:[^\W\d_][{_LETTER} .'’/-]{{0,40}}?\s*[:：|]\s*|{_DATE_LABEL}\s*[:：|-]?\s*)?{_PLACEHOLDER}\s*$", re.I)
# A timestamp label with nothing after it ("Updated:", "Published on").
_EMPTY_DATE_LABEL = re.compile(rf"^{_DATE_LABEL}\s*[:：|-]?\s*$", re.I)

_MONTHS = _words(
    "jan|january|feb|february|mar|march|apr|april|may|jun|june|jul|july|aug|august|sep|sept|september|"
    "oct|october|nov|november|dec|december",
    "januar|jänner|februar|märz|mai|juni|juli|oktober|dezember",
    "janvier|février|mars|avril|juin|juillet|août|septembre|octobre|novembre|décembre|janv|févr|avr|juil|déc",
    "enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|setiembre|octubre|noviembre|diciembre",
    "janeiro|fevereiro|março|maio|junho|julho|setembro|outubro|novembro|dezembro",
    "gennaio|febbraio|aprile|maggio|giugno|luglio|settembre|ottobre|dicembre",
    "januari|februari|maart|mei|augustus",
    "maj|augusti|desember|mai|januar|februar",
    "stycznia|lutego|marca|kwietnia|maja|czerwca|lipca|sierpnia|września|października|listopada|grudnia",
    "ledna|února|března|dubna|května|června|července|srpna|září|října|listopadu|prosince",
    "января|февраля|марта|апреля|мая|июня|июля|августа|сентября|октября|ноября|декабря",
    "जनवरी|फरवरी|फ़रवरी|मार्च|अप्रैल|मई|जून|जुलाई|अगस्त|सितंबर|सितम्बर|अक्टूबर|अक्तूबर|नवंबर|नवम्बर|दिसंबर|दिसम्बर",
)
_WEEKDAYS = _words(
    "mon|monday|tue|tues|tuesday|wed|wednesday|thu|thur|thurs|thursday|fri|friday|sat|saturday|sun|sunday",
    "montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag|mo|di|mi|do|fr|sa|so",
    "lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche",
    "lunes|martes|miércoles|jueves|viernes|sábado|domingo",
    "segunda-feira|terça-feira|quarta-feira|quinta-feira|sexta-feira",
    "lunedì|martedì|mercoledì|giovedì|venerdì|sabato|domenica",
    "maandag|dinsdag|woensdag|donderdag|vrijdag|zaterdag|zondag",
    "måndag|tisdag|onsdag|torsdag|fredag|lördag|söndag|mandag|tirsdag|lørdag|søndag",
    "poniedziałek|wtorek|środa|czwartek|piątek|sobota|niedziela",
    "pondělí|úterý|středa|čtvrtek|pátek|neděle",
    "понедельник|вторник|среда|четверг|пятница|суббота|воскресенье",
    "सोमवार|मंगलवार|बुधवार|गुरुवार|शुक्रवार|शनिवार|रविवार",
)
# Little words that join the parts of a date ("20 août 2024 à 11h32", "20 августа 2024 г. в 11:32"),
# and the units of a relative time ("vor 2 Stunden", "2 часа назад").
_RELATIVE_UNIT = _words(
    r"min|mins|minutes?|hours?|hrs?|days?|minuten?|stunden?|tagen?|heures?|jours?|minutos?|horas?|días?|dias|"
    r"minuti|giorni|dagen|godzin[ay]?|hodin[ay]?|минут[ыа]?|час[аов]*|дн(?:я|ей)|मिनट|घंटे|दिन",
)
_DATE_GLUE = _words(
    "at|on|the|of|ago|um|uhr|vor|le|à|a|el|de|del|las|hace|às|em|alle|ore|fa|om|uur|geleden|o|godz|temu|v|před",
    "в|г|года|назад|ч|мин|बजे|पहले|को",
)
_ZONES = r"utc|gmt|ist|et|est|edt|pt|pst|pdt|ct|cst|cdt|cet|cest|bst|eet|eest|aest|jst|kst|sast|msk|мск|h|hrs"
_DATE_TOKEN = re.compile(
    rf"^(?:\d{{1,4}}(?:[./:\-]\d{{1,4}}){{0,3}}(?:st|nd|rd|th|h|er|e|º)?\.?|\d{{1,2}}\s?h\s?\d{{2}}(?:min)?|"
    rf"(?:{_MONTHS})\.?|(?:{_WEEKDAYS})\.?|a\.?m\.?|p\.?m\.?|{_ZONES}|[+-]\d{{2}}:?\d{{2}}|"
    rf"(?:{_DATE_GLUE}|{_RELATIVE_UNIT})\.?|\d+\s*(?:{_RELATIVE_UNIT})|{_DATE_LABEL}:?)$",
    re.I,
)
# What makes a run of date tokens a date: a month, a year, a d.m.y or h:m group, a relative unit.
_DATE_ANCHOR = re.compile(
    rf"^(?:(?:{_MONTHS})\.?|(?:1[89]|20)\d\d\.?|\d{{1,4}}[./:\-]\d{{1,4}}.*|\d{{1,2}}\s?h\s?\d{{2}}.*|"
    rf"\d+\s*(?:{_RELATIVE_UNIT})|{_RELATIVE_UNIT})$",
    re.I,
)
_LABEL_PREFIX = re.compile(rf"^{_DATE_LABEL}\s*[:：|-]?\s*", re.I)

# Calls to follow/join/subscribe/share/download/sign up, as they open a line, per language.
_CALL_VERB = "(?:" + _words(
    r"follow|join|subscribe|sign\s*up|signup|register|download|install|share|connect\s+with|"
    r"stay\s+(?:connected|updated|tuned)|click\s+here|tap\s+here|like\s+us|find\s+us|get\s+(?:our|the)",
    r"folgen\s+sie|folge\s+uns|folgt\s+uns|folgst\s+du|abonnieren\s+sie|abonniere|abonniert|abonnieren|laden\s+sie|lade\s+dir|"
    r"teilen(?:\s+sie)?|"
    r"melden\s+sie\s+sich|registrieren\s+sie\s+sich|besuchen\s+sie|holen\s+sie\s+sich|hol\s+dir|erhalten\s+sie",
    r"suivez(?:-nous)?|suis|rejoignez(?:-nous)?|rejoins|retrouvez-nous|abonnez-vous|abonne-toi|inscrivez-vous|téléchargez|partagez|retrouvez|recevez",
    r"síguenos|síganos|sígannos|sigue(?:nos)?|únete|únase|suscríbete|suscríbase|descarga|descargue|comparte|comparta|"
    r"recibe|reciba",
    r"siga(?:-nos)?|sigam(?:-nos)?|acompanhe-nos|inscreva-se|assine|participe|baixe|compartilhe|partilhe|receba|junte-se|acompanhe|curta",
    r"seguici|seguiteci|segui|iscriviti|iscrivetevi|scarica|condividi|unisciti|ricevi|abbonati",
    r"volg|abonneer|meld\s+je\s+aan|schrijf\s+je\s+in|download|deel\s+(?:dit|dit\s+artikel|via|op)|word\s+lid|ontvang",
    r"obserwuj|śledź|subskrybuj|zasubskrybuj|zapisz\s+się|dołącz|pobierz|udostępnij|polub",
    r"sledujte|odebírejte|přihlaste\s+se|stáhněte|sdílejte|připojte\s+se|přidejte\s+se",
    r"følg|följ|abonner|abonnera|prenumerera|last\s+ned|ladda\s+ner|hent",
    r"подписывайтесь|подпишитесь|подписывайся|подпишись|следите|присоединяйтесь|скачайте|скачивайте|"
    r"делитесь|поделитесь|читайте|смотрите|вступайте|заходите|добавляйтесь",
) + ")"
# Words that may come before the call: "Jetzt", "Please", "Now", an arrow or an emoji.
_CALL_LEAD = _words(
    r"to|please|also|now|jetzt|bitte|hier|maintenant|aussi|ahora|también|agora|ora|anche|nu|ook|teraz|też|nyní|"
    r"také|теперь|также",
)
# What a call is about when it names it: a channel, a platform, an app, a newsletter.
_CHANNEL = _words(
    r"channels?|newsletters?|apps?|alerts|notifications|podcasts?|feed|updates|"
    r"facebook|twitter|x\.com|instagram|telegram|whatsapp|youtube|google\s+news|linkedin|tiktok|threads|snapchat|"
    r"pinterest|reddit|mastodon|bluesky|flipboard|koo|sharechat|signal|viber|vk|"
    r"kanal|kanäle|push-nachrichten|eilmeldungen|chaîne|application|appli|alertes|lettre\s+d'information|"
    r"canal|canales|boletín|aplicación|alertas|aplicativo|canale|notifiche|kanaal|nieuwsbrief|meldingen|"
    r"kanał|kanale|aplikacj[aię]|powiadomienia|kanál|aplikac[ie]|odběr",
    r"канал\w*|telegram-канал\w*|телеграм\w*|рассылк\w*|приложени\w*|уведомлени\w*|вконтакте|одноклассник\w*|"
    r"дзен\w*|соцсет\w*",
    r"चैनल|न्यूज़लेटर|न्यूजलेटर|टेलीग्राम|व्हाट्सऐप|व्हाट्सएप|वॉट्सऐप|फेसबुक|फ़ेसबुक|ट्विटर|इंस्टाग्राम|यूट्यूब|"
    r"ऐप|गूगल\s+न्यूज़|गूगल\s+न्यूज",
)
# The publisher speaking of itself: "us", "our", "uns", "notre", "наш", "हमारे".
_US = _words(
    r"(?-i:us)|our|uns|unser\w*|nous|notre|nos|nuestr[oa]s?|noss[oa]s?|nostr[oaie]|ons|onze|nas|nasz\w*|"
    r"nás|náš|naš\w*|oss|vår|vårt|våra|våre|vores",
    r"наш\w*|нами|нас",
    r"हमें|हमारा|हमारे|हमारी|हमसे|हमको",
)
# A bare subscribe button: the verb, maybe "now", nothing else.
_SUBSCRIBE_ONLY = re.compile(
    "^(?:" + _words(
        r"subscribe|sign\s+up|abonnieren|jetzt\s+abonnieren|abonnez-vous|s'abonner|suscr[ií]bete|suscribirse|"
        r"assine|inscreva-se|abbonati|abonneer|abonner|prenumerera|subskrybuj|předplaťte\s+si|"
        r"подписаться|подпишитесь|सब्सक्राइब\s+करें",
    ) + r")(?:\s+(?:now|today|here|jetzt|hier|maintenant|ahora|aquí|já|agora|ora|nu|teraz|сейчас))?\s*[!.]*$",
    re.I,
)
_CHANNEL_WORD = re.compile(rf"{_L}(?:{_CHANNEL}){_R}", re.I)
_US_WORD = re.compile(rf"{_L}(?:{_US}){_R}", re.I)
_CALL_START = re.compile(rf"^(?:(?:{_CALL_LEAD})\s+)?{_CALL_VERB}{_R}(?!-)", re.I)
# Verb-last calls (German "Jetzt unseren WhatsApp-Kanal abonnieren!", Hindi "... पर फॉलो करें").
_CALL_END = re.compile(
    "(?:" + _words(
        r"abonnieren|folgen|herunterladen|downloaden|anmelden|registrieren|teilen|installieren|beitreten",
        r"(?:फॉलो|फ़ॉलो|फोलो|जॉइन|ज्वॉइन|ज्वाइन|सब्सक्राइब|डाउनलोड|शेयर|लाइक|इंस्टॉल)\s*(?:करें|कीजिए|करे|करो)|"
        r"सदस्यता\s+(?:लें|लीजिए|ग्रहण\s+करें)|जुड़ें|जुड़िए",
    ) + rf"){_R}[\s!.।…]*$",
    re.I,
)
_SOCIAL_NAMES = re.compile(
    "^(?:(?:" + _words(r"share|teilen|partager|compartir|compartilhar|condividi|delen|udostępnij|sdílet|поделиться",
                       r"शेयर\s+करें") + r")\s*(?:this|on|via|:)?\s*[:|]?\s*)?"
    "(?:(?:" + _words(
        r"facebook|twitter|x|instagram|telegram|whatsapp|youtube|google\s+news|linkedin|tiktok|pinterest|reddit|"
        r"email|e-mail|mail|print|copy\s+link|messenger|threads|flipboard|sms|viber|vk|ok",
        r"вконтакте|одноклассники|телеграм|фейсбук",
        r"फेसबुक|फ़ेसबुक|ट्विटर|व्हाट्सऐप|व्हाट्सएप|टेलीग्राम|ईमेल",
    ) + r")[\s,|/•·]*){2,}$",
    re.I,
)
# Teasers for other stories: the whole line is the label, or label + a headline.
_TEASER = re.compile(
    "^(?:" + _words(
        r"also\s+read|read\s+also|read\s+more|more\s+from|read\s+next|see\s+also|related|"
        r"related\s+(?:stories|articles|news|content|coverage|reading)|recommended|must\s+read|don'?t\s+miss|"
        r"you\s+(?:may|might)\s+also\s+like|more\s+on\s+this(?:\s+story)?",
        r"auch\s+interessant|lesen\s+sie\s+auch|lesen\s+sie\s+mehr|mehr\s+zum\s+thema|zum\s+thema|weiterlesen|"
        r"auch\s+lesenswert|passend\s+dazu|siehe\s+auch|mehr\s+dazu|das\s+könnte\s+sie\s+auch\s+interessieren",
        r"(?:à\s+|a\s+)?lire\s+(?:aussi|également)|(?:à\s+)?voir\s+aussi|sur\s+le\s+même\s+sujet|lire\s+la\s+suite",
        r"lee\s+también|lea\s+también|leer\s+más|ver\s+también|(?:también\s+)?te\s+puede\s+interesar|"
        r"le\s+puede\s+interesar|noticias\s+relacionadas|relacionad[oa]s?|sigue\s+leyendo",
        r"leia\s+(?:também|mais)|veja\s+também|saiba\s+mais|leia\s+a\s+seguir",
        r"leggi\s+anche|vedi\s+anche|(?:ti\s+)?potrebbe\s+interessar(?:ti|e)|correlati",
        r"lees\s+ook|lees\s+meer|zie\s+ook|gerelateerd|ook\s+interessant",
        r"(?:czytaj|przeczytaj|zobacz)\s+(?:też|także|również)|czytaj\s+więcej|polecamy|powiązane",
        r"(?:čtěte|přečtěte\s+si)\s+(?:také|též|více)|mohlo\s+by\s+vás\s+zajímat|související(?:\s+články)?",
        r"(?:читайте|смотрите|читать)\s+(?:также|тоже|ещё|еще)|также\s+читайте|(?:ещё|еще\s+)?по\s+теме|подробнее",
        r"(?:यह|ये|इसे|इन्हें)\s+भी\s+(?:पढ़ें|देखें)|और\s+पढ़ें|पढ़ें|ज़रूर\s+पढ़ें|संबंधित\s+(?:खबरें|ख़बरें|लेख)",
        r"les\s+også|les\s+mer|läs\s+också|läs\s+mer|læs\s+også|læs\s+mere|se\s+også|relatert|relaterte\s+saker",
        r"ähnliche(?:\s+artikel)?|noticia\s+relacionada|funda\s+olunye\s+udaba(?:\s+lapha)?|funda\s+futhi",
    ) + r")\s*(?:[:|>»–—-]|$)",
    re.I,
)
# "Read also" labels, which some sites run straight into the headline ("À lire aussi La natalité ...").
_READ_ALSO = re.compile(
    "^(?:" + _words(
        r"also\s+read|read\s+also|see\s+also|lesen\s+sie\s+auch|(?:à\s+|a\s+)?lire\s+(?:aussi|également)|"
        r"(?:à\s+)?voir\s+aussi|lee\s+también|lea\s+también|leia\s+também|veja\s+também|leggi\s+anche|lees\s+ook|"
        r"les\s+også|läs\s+också|læs\s+også|(?:czytaj|przeczytaj|zobacz)\s+(?:też|także|również)|"
        r"(?:čtěte|přečtěte\s+si)\s+(?:také|též)|(?:читайте|смотрите)\s+(?:также|тоже)",
    ) + r")\s+(?=[^\W\d_])",
    re.I,
)
# Ad labels and "the story goes on after the ad" notes: the whole line is the label.
_AD_LABEL = re.compile(
    "^(?:" + _words(
        r"advertisement|advertising|ad|ads|advertorial|sponsored(?:\s+content)?|promoted(?:\s+content)?|"
        r"paid\s+content|partner\s+content|"
        r"story\s+continues\s+(?:below|after)(?:\s+(?:this\s+)?(?:advertisement|ad))?|"
        r"(?:article|story)\s+continues\s+below|continue\s+reading\s+(?:below|the\s+main\s+story)|"
        r"scroll\s+(?:down\s+)?to\s+continue(?:\s+with\s+content)?|skip\s+advert(?:isement)?|"
        r"advertisement\b.{0,40}continues\s+below|skip\s+(?:the\s+)?ad",
        r"anzeige|werbung|werbung\s+überspringen|gesponsert|weiter\s+nach\s+der\s+(?:anzeige|werbung)|weiterlesen\s+nach\s+der\s+anzeige|"
        r"lesen\s+sie\s+nach\s+der\s+(?:anzeige|werbung)\s+weiter",
        r"publicité|passer\s+la\s+publicité|contenu\s+sponsorisé|sponsorisé|(?:la\s+)?suite\s+(?:de\s+l'article\s+)?après\s+(?:cette\s+|la\s+)?publicité",
        r"publicidad|contenido\s+patrocinado|patrocinado|continúa\s+(?:leyendo\s+)?(?:después\s+de|tras)\s+la\s+publicidad",
        r"publicidade|anúncio|conteúdo\s+patrocinado|continua\s+(?:depois|após)\s+(?:da\s+)?publicidade",
        r"pubblicità|contenuto\s+sponsorizzato|sponsorizzato|continua\s+(?:a\s+leggere\s+)?dopo\s+la\s+pubblicità",
        r"advertentie|gesponsord|lees\s+verder\s+na\s+de\s+advertentie|annons|annonse|reklame|sponset|annonsørinnhold",
        r"reklama|artykuł\s+sponsorowany|materiał\s+(?:sponsorowany|partnera)|"
        r"dalsza\s+część\s+(?:artykułu|tekstu)\s+pod\s+reklamą|inzerce|komerční\s+sdělení|"
        r"(?:pokračování\s+článku|článek\s+pokračuje)\s+pod\s+reklamou",
        r"реклама|на\s+правах\s+рекламы|партн[её]рский\s+материал|материал\s+партн[её]ра|"
        r"продолжение\s+(?:статьи\s+)?(?:ниже|после\s+рекламы)",
        r"विज्ञापन|प्रायोजित",
    ) + r")\s*[.:…]*$",
    re.I,
)
# "Reading time: 4 minutes", "3 Minuten Lesezeit", "5 min read".
_READING_TIME = re.compile(
    r"^(?:(?:reading\s+time|read\s+time|lesedauer|lesezeit|temps\s+de\s+lecture|tiempo\s+de\s+lectura)\s*:?\s*\d+\s*\w*|"
    r"\d+\s*(?:min|mins|minutes?|minuten|minutos)\.?\s*(?:read|lesezeit|lesedauer|de\s+lecture|de\s+lectura))$",
    re.I,
)
_BYLINE = re.compile(
    r"^(?:by|written\s+by|reported\s+by|edited\s+by|story\s+by|words\s+by|von|par|por|di|door|av)\s+"
    r"[^\W\d_][\w.'’-]*(?:[\s,&]+(?:and\s+|und\s+|et\s+|y\s+)?[^\W\d_][\w.'’-]*){0,7}"
    r"(?:\s*[|,/–—-]\s*[\w .'’-]{1,40})?$",
    re.I,
)

# A copyright notice: "© 2008 Example", "Copyright (C) 2006-2008 ...", "All rights reserved",
# "Alle Rechte vorbehalten", "Tous droits réservés", "Todos los derechos reservados".
_COPYRIGHT = re.compile(
    r"(?:©|\(c\)|copyright|\bcopr\.)\s*(?:\(c\)\s*|©\s*)?(?:19|20)\d\d|"
    r"all\s+rights\s+reserved|alle\s+rechte\s+vorbehalten|tous\s+droits\s+réservés|"
    r"todos\s+los\s+derechos\s+reservados|tutti\s+i\s+diritti\s+riservati|todos\s+os\s+direitos\s+reservados|"
    r"все\s+права\s+защищены",
    re.I,
)
COPYRIGHT_WORDS = 40  # a notice runs long with its legal small print, a story paragraph longer

SHORT_WORDS = 12  # lines up to this many words may be judged by shape
WHOLE_PARAGRAPH_WORDS = 30  # a line this long that comes again is a repeated paragraph, kept once
CALL_WORDS = 30  # calls to action run a bit longer ("Join our ... and stay updated with ...")
CALL_REACH = 6  # in a longer call, the channel it names comes within this many words of the verb


def normalize_line(line: str) -> str:
    """The key under which a line is compared with learned site-wide boilerplate.

    NFKC, case-folded, every run of digits replaced by "0" (so "© 2024" and "© 2025" match,
    as do counters), punctuation, symbols and underscores dropped (letters, digits and
    combining marks kept), whitespace collapsed.
    Two lines with the same key are the same boilerplate line.
    """
    return _line_key(_DIGITS.sub("0", line))


def _line_key(line: str) -> str:
    """NFKC, case-folded, only letters, digits and combining marks, whitespace collapsed."""
    text = unicodedata.normalize("NFKC", line).casefold().replace("_", " ")
    return " ".join(_non_word().sub(" ", text).split())


_DIGITS = re.compile(r"\d+")


@lru_cache(maxsize=1)
def _non_word() -> re.Pattern[str]:
    """Runs of what is neither a letter, a digit nor a combining mark (of the Basic
    Multilingual Plane). Python's \\w leaves combining marks out, but Indic, Thai and other
    scripts write vowels and viramas with them: without them "परीक्षण" and "परिक्षण"
    shared a key, as did "कि" and "की". Made on first use (60 ms), not at import."""
    marks = [c for c in range(0x300, 0x10000) if unicodedata.category(chr(c)).startswith("M")]
    ranges, start = [], marks[0]
    for previous, current in zip(marks, marks[1:] + [-1]):
        if current != previous + 1:
            ranges.append(f"\\u{start:04x}" if start == previous else f"\\u{start:04x}-\\u{previous:04x}")
            start = current
    return re.compile(f"[^\\w{''.join(ranges)}]+")


def normalize_text(text: str) -> str:
    """Text as stored and hashed: NFC, one paragraph per line, inner whitespace collapsed."""
    lines = (" ".join(line.split()) for line in unicodedata.normalize("NFC", text).splitlines())
    return "\n".join(line for line in lines if line)


def is_placeholder_line(line: str) -> bool:
    """`Published: undefined`, `Updated: null`, `Date: N/A`, `Posted on: --`, `Updated:`."""
    if len(line) > 80:
        return False
    return bool(_PLACEHOLDER_LINE.match(line) or _EMPTY_DATE_LABEL.match(line))


def is_timestamp_line(line: str) -> bool:
    """A line made only of an optional date label and date/time tokens."""
    if len(line) > 80 or line.startswith("|") or not any(ch.isdigit() for ch in line):
        return False
    labeled = _LABEL_PREFIX.match(line)
    rest = line[labeled.end():] if labeled else line
    tokens = [t for t in re.split(r"[\s,|•·()]+", rest) if t]
    if not tokens:
        return False
    if not labeled and len(tokens) < 2:
        return bool(re.fullmatch(r"\d{1,4}[./-]\d{1,2}[./-]\d{1,4}", tokens[0]))
    if not any(_DATE_ANCHOR.match(t) for t in tokens):  # "2023 1,200" or a score "2 a 1" is data
        return False
    return all(_DATE_TOKEN.match(t) for t in tokens)



def is_call_to_action(line: str) -> bool:
    """Follow us / join our channel / subscribe / download the app / share bars, in any of the
    lexicon's languages.

    A line (up to CALL_WORDS) that opens with a call verb is a call when the publisher is the
    verb's object ("Follow us", "Suivez-nous", "Следите за нами"), or it names a channel: anywhere
    in a short line (up to SHORT_WORDS), within CALL_REACH words of the verb in a longer one
    ("Join our official Telegram channel and ..."). For verb-last word orders a short line
    that closes with the verb and says "our" is one too. A sentence that opens with "Follow"
    and mentions Telegram later on, or that quotes anyone, is story text.
    """
    line = _strip_marks(line)
    words = line.split()
    if len(words) > CALL_WORDS:
        return False
    if _SOCIAL_NAMES.match(line) or _SUBSCRIBE_ONLY.match(line):
        return True
    if any(q in line for q in _QUOTES):
        return False
    start = _CALL_START.match(line)
    if start:
        # "us" counts only as the verb's object ("Follow us", "Следите за нами"), not later on
        # ("Share prices at our partner ..."); a channel anywhere in a short line, near the verb in a long one.
        after = line[start.end():].split()
        if _US_WORD.search(" ".join([line[:start.end()], *after[:2]])):
            return True
        return bool(_CHANNEL_WORD.search(line if len(words) <= SHORT_WORDS else " ".join(after[:CALL_REACH])))
    if len(words) <= SHORT_WORDS and _CALL_END.search(line) and _US_WORD.search(line):
        return len(words) <= 6 or bool(_CHANNEL_WORD.search(line))
    return False


_QUOTES = '"“”„«»‹›'


def _strip_marks(line: str) -> str:
    """The line without leading bullets, arrows and emoji ("👉 Follow us", "» Jetzt abonnieren")."""
    start = 0
    while start < len(line) and (line[start] in "»>•·*-–—:| " or unicodedata.category(line[start])[0] in "SC"
                                 or unicodedata.category(line[start]) == "Mn"):
        start += 1
    return line[start:]


def is_copyright_notice(line: str) -> bool:
    """"© 2024 Example News", "Copyright (C) eCanadaNow 2006-2007", "... All Rights Reserved."

    Only a line of at most COPYRIGHT_WORDS that names a year after the mark, or says the rights
    are reserved; a story about a copyright case names no year right after the word."""
    return len(line.split()) <= COPYRIGHT_WORDS and bool(_COPYRIGHT.search(line))


def is_teaser_or_ad(line: str) -> bool:
    """"Also read: ...", "Related:", "Advertisement", "Story continues below advertisement"."""
    if len(line.split()) > 25:
        return False
    if _AD_LABEL.match(line) or _TEASER.match(line) or _READING_TIME.match(line):
        return True
    # A bare "read also" label runs into a headline, which starts with a capital.
    bare = _READ_ALSO.match(line)
    return bool(bare and line[bare.end()].isupper())


def is_byline(line: str, author_keys: set[str] = frozenset()) -> bool:
    """"By Jane Doe", "Von Anna Müller | dpa", or a line that is just an author's name.

    author_keys: the authors' names as normalize_line keys.
    """
    if len(line.split()) > 10 or line.rstrip().endswith((".", "!", "?", '"', "”")):
        return False
    if author_keys:
        key = normalize_line(line)
        if key in author_keys or key.removeprefix("by ") in author_keys:
            return True
    # Names are capitalized; the part after a separator may be an agency ("| dpa").
    names = re.split(r"\s[|/–—-]\s", line.split(None, 1)[1] if " " in line else "")[0]
    return bool(_BYLINE.match(line)) and _mostly_capitalized(names)


def _mostly_capitalized(text: str) -> bool:
    words = [w for w in re.split(r"[\s,&|/–—-]+", text) if w and w.lower() not in {"and", "und", "et", "y", "de", "van", "von", "der"}]
    return bool(words) and sum(w[0].isupper() for w in words) >= 0.75 * len(words)


def _is_sentence_like(line: str) -> bool:
    """Real prose or quotes: ends like a sentence or carries quotation marks."""
    return line.rstrip().endswith((".", "!", "?", "…", '"', "”", "»", "“", "'")) or any(q in line for q in '"“”«»„')


def repetition_key(line: str) -> str:
    """The key under which lines repeat inside one article: normalize_line's, but numbers count.

    Rows of results, prices and scores differ only in their numbers ("Arsenal 2 Chelsea 1",
    "Arsenal 0 Chelsea 0"); folding digits would make them one repeated template line.
    """
    return _line_key(line)


# Lines that carry structure: table rows (trafilatura renders cells with "|"; some sites draw
# them with box characters), list items, code, quotations. Their repeats are content.
_STRUCTURED = re.compile(r"[|│┃║]|^[-*•·] |^\d+[.)] |[{};]\s*$|^\s*(?:[<>]|//|#)|\w\(.*\)|\s=\s")


def repeated_label_lines(lines: list[str], keys: list[str] | None = None) -> set[str]:
    """Short, non-sentence lines that occur more than once in one article (template widgets).

    Returns their normalize_line keys. Lines repeat by repetition_key (numbers count), and
    table rows, list items, code, lines holding numbers and (up to twice) sentences never count.
    """
    keys = keys if keys is not None else [normalize_line(line) for line in lines]
    repeats = [repetition_key(line) for line in lines]
    counts = Counter(repeats)
    found = set()
    for line, key, repeat in zip(lines, keys, repeats):
        count = counts[repeat]
        if count < 2 or not key or key in found:
            continue
        if _STRUCTURED.search(line) or any(ch.isdigit() for ch in line):
            continue  # structure or data: a result, a price, a date line is caught by its shape elsewhere
        if len(line.split()) >= WHOLE_PARAGRAPH_WORDS:
            continue  # a whole paragraph printed again is kept once (clean_lines), not dropped
        # A sentence or quote may come twice (a pull quote); three times is a template
        # (an embed's consent notice rendered once per embed).
        if (_is_sentence_like(line) or len(line.split()) > 8) and count < 3:
            continue
        found.add(key)
    return found


def clean_lines(lines: Iterable[str], *, titles: Iterable[str] = (), authors: Iterable[str] = (),
                boilerplate: frozenset[str] = frozenset()) -> list[str]:
    """Drop the boilerplate lines of an article body; keep everything else in order.

    titles: the headline (and its variants: <h1>, og:title), never repeated in the text.
    authors: names whose bare byline lines are dropped.
    """
    lines = [" ".join(line.split()) for line in lines]
    lines = [line for line in lines if line]
    keys = [normalize_line(line) for line in lines]
    title_keys = {normalize_line(t) for t in titles if t}
    author_keys = {normalize_line(a) for a in authors if a}
    template = repeated_label_lines(lines, keys)
    kept = []
    paragraphs_seen: set[str] = set()
    for line, key in zip(lines, keys):
        if not key:  # only punctuation or symbols: separators, bullets
            continue
        if key in title_keys or key in boilerplate or key in template:
            continue
        if len(line.split()) >= WHOLE_PARAGRAPH_WORDS:
            # A whole paragraph again, word for word: the page printed the story (or its lead)
            # twice, as a teaser or a print copy. A pull quote is a sentence, not a paragraph.
            if key in paragraphs_seen:
                continue
            paragraphs_seen.add(key)
        if len(line) <= 200 and _is_boilerplate_shape(line, author_keys):
            continue
        kept.append(line)
    return kept


def _is_boilerplate_shape(line: str, author_keys: set[str]) -> bool:
    line = line.removeprefix("- ").lstrip("-–— ")  # a list item is judged by its content
    return (is_placeholder_line(line) or is_timestamp_line(line) or is_call_to_action(line)
            or is_teaser_or_ad(line) or is_byline(line, author_keys) or is_copyright_notice(line))


def clean_text(text: str, *, titles: Iterable[str] = (), authors: Iterable[str] = (),
               boilerplate: frozenset[str] = frozenset()) -> str:
    """clean_lines over a text, returned normalized (see normalize_text)."""
    lines = normalize_text(text).splitlines()
    return "\n".join(clean_lines(lines, titles=titles, authors=authors, boilerplate=boilerplate))

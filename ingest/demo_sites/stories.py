"""Story text for the demo sites: hand-written sentence pools combined deterministically.

Each generated story picks a topic, casts people, places and numbers from a seeded RNG,
and draws sentences without replacement from the topic's pool and a shared pool, so two
stories on the same topic share few word 3-shingles (the near-duplicate detector must not
cluster them) while every sentence still reads like wire copy.
"""
from __future__ import annotations

import random
from dataclasses import dataclass

FIRST = ["Priya", "Daniel", "Amara", "Tomasz", "Helen", "Rahul", "Grace", "Mateo", "Sofia", "Kwame",
         "Laura", "Arjun", "Nadia", "Oliver", "Fatima", "Samuel", "Ingrid", "Vikram", "Chloe", "Marcus",
         "Leila", "Hugo", "Anjali", "Peter", "Yuki", "Brendan", "Meera", "Elena", "Joseph", "Ruth"]
LAST = ["Sharma", "Okafor", "Lindqvist", "Novak", "Brennan", "Iyer", "Mensah", "Duarte", "Keller",
        "Haddad", "Fischer", "Menon", "Walsh", "Castillo", "Tanaka", "Abara", "Whitfield", "Kapoor",
        "Moreau", "Osei", "Delgado", "Rao", "Bergstrom", "Quinn", "Nakamura", "Adeyemi", "Costa",
        "Hughes", "Banerjee", "Petrov"]
PLACES = [("Leeds", "West Yorkshire"), ("Pune", "Maharashtra"), ("Denver", "Colorado"),
          ("Porto", "the Norte region"), ("Lyon", "Auvergne-Rhone-Alpes"), ("Kochi", "Kerala"),
          ("Halifax", "Nova Scotia"), ("Adelaide", "South Australia"), ("Cork", "County Cork"),
          ("Nagpur", "Vidarbha"), ("Tampa", "Florida"), ("Gdansk", "Pomerania"),
          ("Durban", "KwaZulu-Natal"), ("Bristol", "the South West"), ("Indore", "Madhya Pradesh"),
          ("Tucson", "Arizona"), ("Bilbao", "the Basque Country"), ("Aarhus", "Central Jutland"),
          ("Mysuru", "Karnataka"), ("Hamilton", "Ontario"), ("Glasgow", "Scotland"),
          ("Nashville", "Tennessee"), ("Lucknow", "Uttar Pradesh"), ("Graz", "Styria")]
RIVERS = {"Leeds": "Aire", "Pune": "Mula-Mutha", "Denver": "South Platte", "Porto": "Douro", "Lyon": "Rhone",
          "Kochi": "Periyar", "Halifax": "Sackville", "Adelaide": "Torrens", "Cork": "Lee", "Nagpur": "Nag",
          "Tampa": "Hillsborough", "Gdansk": "Vistula", "Durban": "Umgeni", "Bristol": "Avon", "Indore": "Khan",
          "Tucson": "Santa Cruz", "Bilbao": "Nervion", "Aarhus": "Gudena", "Mysuru": "Kaveri",
          "Hamilton": "Grand", "Glasgow": "Clyde", "Nashville": "Cumberland", "Lucknow": "Gomti", "Graz": "Mur"}
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
JOBS = ["a school teacher", "a delivery driver", "a retired nurse", "a shopkeeper", "a student",
        "a bus conductor", "a software tester", "a bakery owner", "a farmer", "a pharmacist"]


@dataclass(frozen=True)
class Topic:
    key: str
    section: str  # "national" or "international"
    tags: tuple[str, ...]
    titles: tuple[str, ...]
    leads: tuple[str, ...]
    body: tuple[str, ...]
    quotes: tuple[str, ...]
    vocab: dict


TOPICS = (
    Topic(
        "rail", "national", ("transport", "strike"),
        ("Rail strike halts {city} commuter services as talks over {issue} collapse",
         "{union} walkout leaves thousands stranded across {region}",
         "Commuters in {city} brace for {n_small}-day rail stoppage"),
        ("Train services across {region} came to a near standstill on {weekday} after members of the {union} "
         "walked out in a dispute over {issue}, leaving commuters in {city} scrambling for buses and taxis.",
         "Thousands of commuters in {city} were left stranded on {weekday} as a strike by the {union} over "
         "{issue} shut down most suburban rail lines in {region}."),
        ("Operators said only {n_small} of the usual {n_mid} morning services ran, most of them with a "
         "single carriage and no catering.",
         "Queues at the main bus station stretched around the block by seven in the morning, and ride-hailing "
         "fares rose by as much as {pct} percent, according to drivers.",
         "The {union} says its members have not had a pay rise in {years} years while passenger numbers have "
         "recovered to pre-pandemic levels.",
         "Management has offered a {pct2} percent increase spread over two years, which union leaders "
         "described as an insult to staff who kept trains running through the worst of the lockdowns.",
         "Freight services were also disrupted, and at least {n_small} cargo trains carrying coal to power "
         "stations in {region} were held in sidings overnight.",
         "Schools in {city} allowed pupils who rely on trains to join lessons online for the rest of the week.",
         "Talks at the offices of the conciliation service broke down shortly after midnight, and no new "
         "meeting has been scheduled.",
         "Business groups estimate that each day of the stoppage costs the regional economy about {money}.",
         "The last comparable walkout, in {year}, lasted {n_small} days and ended with an independent review "
         "of staffing levels.",
         "Safety inspectors have warned in the past that signalling crews are stretched thin on night shifts."),
        ("O|Our door remains open, but we cannot agree to a deal the railway cannot afford",
         "E|Passengers are the ones paying the price for a dispute that should have been settled months ago",
         "R|I have been on this platform for an hour and nobody can tell us when the next train will come",
         "S|We are not asking for the moon. We are asking to be paid for the work we already do"),
        {"union": ["Rail Workers' Union", "Federation of Railway Staff", "Locomotive Drivers' Association"],
         "issue": ["pay and pensions", "staffing levels on night shifts", "the closure of ticket offices",
                   "a new rostering system"]},
    ),
    Topic(
        "flood", "national", ("weather", "floods"),
        ("Floods displace {n_big} people in {region} after days of heavy rain",
         "River {river} bursts its banks, cutting off villages near {city}",
         "Rescue teams race to reach stranded families as {region} floods worsen"),
        ("Rescue teams used boats and helicopters on {weekday} to reach families stranded on rooftops after "
         "the {river} burst its banks near {city}, forcing at least {n_big} people from their homes.",
         "At least {n_small} people have died and {n_big} have been moved to relief camps after torrential "
         "rain swelled the {river} and flooded low-lying districts around {city}."),
        ("The weather office recorded {n_mid} millimetres of rain in {city} in the 24 hours to Sunday morning, "
         "the highest daily total in more than a decade.",
         "Water levels at the main gauge on the {river} were still rising on {weekday} evening, officials said.",
         "Power was cut to large parts of the old town as a precaution after water entered two substations.",
         "Volunteers set up community kitchens in school buildings, serving hot meals to families who had "
         "fled with little more than the clothes they were wearing.",
         "Farmers in the surrounding villages said standing crops on thousands of hectares had been destroyed "
         "just weeks before harvest.",
         "The state government announced emergency relief of {money} and said it would compensate families "
         "whose houses had been damaged.",
         "Engineers are inspecting a road bridge on the main highway after cracks were spotted in one of its "
         "supports.",
         "Forecasters expect the rain to ease by the weekend, though they warned that rivers may keep rising "
         "for several days as water drains from the hills.",
         "Residents complained that drains in newer neighbourhoods had been blocked by construction waste, "
         "making the flooding worse.",
         "Health workers have begun distributing water purification tablets to prevent outbreaks of disease."),
        ("R|The water came up so fast that we only had time to carry the children to the roof",
         "O|Our priority now is to make sure nobody is left behind in the villages that are still cut off",
         "E|Building on the flood plain has left the water far less room to go anywhere else"),
        {},
    ),
    Topic(
        "budget", "national", ("politics", "city council"),
        ("{city} council approves {money} budget with cuts to {service}",
         "Protests as {city} votes to raise property tax by {pct2} percent",
         "{city} budget vote exposes split in governing group"),
        ("Councillors in {city} approved a budget of {money} on {weekday} night after a six-hour debate, "
         "agreeing to trim spending on {service} to close a gap left by falling tax revenue.",
         "The city of {city} will raise property taxes by {pct2} percent and cut funding for {service} under "
         "a budget passed late on {weekday} by a narrow margin of {n_small} votes."),
        ("The plan passed by {n_mid} votes to {n_small}, with several members of the governing group voting "
         "against their own leadership.",
         "Officials said the city had lost about {pct} percent of its income from parking and business rates "
         "since {year}.",
         "Around {n_mid} residents gathered outside the council chamber before the vote, holding placards "
         "calling for libraries and youth centres to be spared.",
         "The budget sets aside money for resurfacing roads and replacing street lights with LED lamps, which "
         "officials say will save money over time.",
         "Opposition members proposed selling unused council buildings instead, an idea the finance committee "
         "rejected as a one-off fix.",
         "Auditors had warned in the autumn that the city's reserves would run out within {n_small} years "
         "without action.",
         "Trade unions representing council staff said they would consult members about possible industrial "
         "action over job losses.",
         "Under the plan, {n_mid} posts will be cut, most of them by not filling vacancies rather than through "
         "redundancies.",
         "The council will also review contracts with private waste collectors, which make up one of its "
         "largest costs.",
         "Grants to voluntary groups will be frozen at last year's level rather than cut, after a campaign by "
         "charities."),
        ("O|Nobody came into politics to close libraries, but we have to balance the books",
         "E|This budget asks the people with the least to carry the heaviest load",
         "R|The library is the only warm place some of our neighbours have in winter"),
        {"service": ["libraries", "street cleaning", "youth services", "public parks", "bus subsidies"]},
    ),
    Topic(
        "rates", "international", ("economy", "central bank"),
        ("Central bank raises rates to {rate} percent as inflation bites",
         "Borrowing costs climb again as {bank} signals more to come",
         "{bank} lifts rates again, warns inflation fight is far from over"),
        ("The {bank} raised its main interest rate by a quarter of a percentage point to {rate} percent on "
         "{weekday}, its latest in a run of {n_small} increases, saying prices were still rising too quickly.",
         "Policymakers at the {bank} lifted borrowing costs to {rate} percent on {weekday} and signalled that "
         "further increases could follow if inflation fails to cool."),
        ("Consumer prices rose {pct2} percent in the year to last month, well above the bank's target, "
         "driven by food and energy costs.",
         "The decision was widely expected by economists, and markets barely moved after the announcement.",
         "Mortgage lenders are expected to pass on the increase within days, adding to the monthly bills of "
         "millions of households on variable rates.",
         "The currency strengthened slightly against the dollar, while shares in banks rose.",
         "In a statement, the bank said the labour market remained tight and that wage growth was adding to "
         "price pressures in services.",
         "Two members of the rate-setting committee voted to leave rates unchanged, citing signs that the "
         "economy was slowing.",
         "Retail groups warned that higher borrowing costs would hit spending just as shops were recovering "
         "from a weak winter.",
         "The bank now expects growth of {small_pct} percent this year, down from its earlier forecast.",
         "Business investment fell in the last quarter as companies delayed plans for new factories and "
         "equipment.",
         "Savers, by contrast, have started to see better returns, with some accounts now paying more than "
         "{small_pct} percent."),
        ("S|Inflation is still too high, and we will do what is necessary to bring it back to target",
         "E|There is a real risk that the bank goes too far and tips the economy into recession",
         "R|Our mortgage payment has gone up twice this year and our wages have not"),
        {"bank": ["Reserve Bank", "central bank", "Bank of the Republic", "National Bank"],
         "rate": ["4.25", "5.5", "6.5", "3.75", "4.75"], "small_pct": ["0.8", "1.2", "1.6", "2.1"]},
    ),
    Topic(
        "health", "national", ("health", "hospitals"),
        ("Hospital waiting lists in {region} hit record {n_big}",
         "{city} hospital opens new ward to tackle surgery backlog",
         "Nurses warn of burnout as {region} waiting times grow"),
        ("The number of patients waiting for planned operations in {region} has reached a record {n_big}, "
         "new figures published on {weekday} show, with hip and knee replacements among the worst affected.",
         "A new surgical ward opened at {city} General Hospital on {weekday} as health officials try to cut a "
         "backlog that has left {n_big} patients in {region} waiting for treatment."),
        ("About {pct} percent of patients have waited longer than the 18-week target, up from a fifth before "
         "the pandemic.",
         "The new ward has {n_mid} beds and will be used mainly for day surgery such as cataract removal.",
         "Hospital managers said they had struggled to recruit anaesthetists and theatre nurses, and that "
         "some operating rooms stood empty on weekends.",
         "Patient groups say people in pain are being pushed into paying for private treatment they cannot "
         "afford.",
         "The health department said it had hired {n_mid} extra nurses from overseas in the last year.",
         "Emergency departments have also been under pressure, with ambulances queuing outside the busiest "
         "hospitals for hours.",
         "A review published last year found that the region had fewer beds per head than any other part of "
         "the country.",
         "Doctors have asked for more community clinics so that patients can be seen closer to home.",
         "The health minister is due to set out a recovery plan in parliament later this month.",
         "Some patients have been offered treatment at hospitals more than 100 kilometres away to shorten "
         "their wait."),
        ("R|My mother has been waiting for a new hip for over a year and can barely walk to the shops",
         "E|Staff are doing extraordinary work, but there are only so many hours in a day",
         "O|We are opening more theatre capacity every month and the lists will start to come down"),
        {},
    ),
    Topic(
        "breach", "international", ("technology", "cybersecurity"),
        ("{company} says hackers stole data of {n_big} customers",
         "Regulator opens inquiry after {company} cyber attack",
         "Data breach at {company} exposes names and addresses"),
        ("{company} said on {weekday} that hackers had stolen personal details of about {n_big} customers, "
         "including names, phone numbers and home addresses, in one of the largest breaches in the country.",
         "Data protection regulators have opened an inquiry into {company} after the company admitted that "
         "an attacker had accessed records of {n_big} customers for several weeks without being noticed."),
        ("The company said payment card numbers were stored separately and had not been affected.",
         "It first noticed unusual activity on its servers on {weekday} last week but did not tell customers "
         "until this week.",
         "Security researchers said the attackers appeared to have used a password taken from a contractor's "
         "account.",
         "Shares in {company} fell {pct2} percent in early trading after the announcement.",
         "Customers have been advised to watch out for phishing emails and calls from people claiming to work "
         "for the company.",
         "The company is offering affected customers free credit monitoring for a year.",
         "Under data protection law, companies can be fined up to four percent of their annual turnover for "
         "serious failures.",
         "A criminal group posted a sample of the data on a forum and demanded a ransom, according to a "
         "threat intelligence firm.",
         "Police said they were working with international partners to identify those responsible.",
         "Several customers said they had received suspicious text messages in the days before the breach was "
         "made public."),
        ("S|We are deeply sorry, and we are contacting every affected customer directly",
         "E|This was not a sophisticated attack, and basic controls should have stopped it",
         "R|People deserve to know exactly what was taken and when the company found out"),
        {"company": ["Northwind Telecom", "Brightline Energy", "Keystone Insurance", "Meridian Health Group",
                     "Orbit Mobile", "Harbour Bank"]},
    ),
    Topic(
        "court", "national", ("courts", "environment"),
        ("Court orders {company} plant near {city} to close over pollution",
         "Judge rules {region} factory broke emission limits for years",
         "Residents win landmark pollution case against {company}"),
        ("A court in {region} ordered {company} on {weekday} to shut its chemical plant near {city} until it "
         "cuts emissions, ruling that the factory had broken pollution limits for years.",
         "Residents living near a {company} factory outside {city} won a landmark case on {weekday} when a "
         "judge ruled that the plant had repeatedly exceeded legal limits on air pollution."),
        ("The ruling follows a complaint filed in {year} by a group of {n_mid} families who said dust from "
         "the plant had coated their homes and crops.",
         "Monitoring data presented in court showed sulphur dioxide levels above the permitted limit on "
         "{n_mid} days over two years.",
         "The company argued that it had invested heavily in filters and that the readings were taken too far "
         "from the plant to be reliable.",
         "The judge rejected that argument, saying the company had been warned by inspectors on at least "
         "{n_small} occasions.",
         "About {n_mid} people work at the plant, and local business owners fear the closure will hurt the "
         "town's economy.",
         "Environmental lawyers said the decision could encourage similar cases against other factories in "
         "the area.",
         "The company has {n_small} weeks to present a plan to the pollution control board.",
         "Doctors at a nearby clinic testified that cases of asthma among children had risen sharply in the "
         "last five years.",
         "The state pollution control board was also criticised in the judgment for failing to act on its "
         "own inspection reports.",
         "Workers at the plant gathered at the gates after the ruling, waiting for word from their managers."),
        ("R|For the first time, someone has listened to the people who actually breathe this air",
         "S|We respect the court but we will appeal, because the ruling ignores the upgrades we have made",
         "E|This judgment sends a clear message that permits are not a licence to pollute"),
        {"company": ["Eastern Chemicals", "Vantage Cement", "Pioneer Alloys", "Sunrise Fertilisers"]},
    ),
    Topic(
        "election", "international", ("politics", "elections"),
        ("Polls open in {region} as {party} seeks another term",
         "Long queues as {region} votes in cost-of-living election",
         "Turnout surges in {region} vote dominated by cost of living"),
        ("Voters in {region} went to the polls on {weekday} in an election seen as a test of the {party}'s "
         "handling of rising prices, with turnout reaching {pct} percent by mid-afternoon.",
         "Voters across {region} queued from early morning on {weekday} to choose the {n_big2} members of "
         "the regional assembly, in a contest between the {party} and its rivals dominated by the cost of living."),
        ("Long queues formed outside polling stations in {city} before they opened at seven in the morning.",
         "Opinion polls had shown the two main parties separated by fewer than {n_small} points for most of "
         "the campaign.",
         "The cost of food and fuel dominated the campaign, with both sides promising help with household "
         "bills.",
         "Election officials said voting had been largely peaceful, although {n_small} polling stations "
         "opened late because of missing equipment.",
         "Younger voters turned out in larger numbers than at the last election, according to early figures.",
         "The opposition accused the government of using public money to advertise its record during the "
         "campaign, a charge officials denied.",
         "Results from rural districts, where counting is slower, are expected by Tuesday morning.",
         "Observers from a civil society group said they had received reports of voters being turned away "
         "because their names were missing from the rolls.",
         "Several smaller parties hope to hold the balance of power if neither side wins a majority.",
         "Campaigning ended on Friday with rallies in {city} that drew tens of thousands of supporters."),
        ("E|People want to know how they are going to pay their bills next month, and that is what decided "
         "this election",
         "S|We will respect the result, whatever it is, and we will be a constructive opposition",
         "R|I have voted for the same party for thirty years, but this time I was not sure until the last minute"),
        {"party": ["People's Alliance", "Democratic Front", "Progressive Union", "National Renewal Party"],
         "n_big2": ["120", "90", "150", "75"]},
    ),
)

SHARED = (
    "{official}, {official_role}, said the authorities were monitoring the situation closely and would "
    "give an update on {weekday}.",
    "{expert}, {expert_role}, said the problems had been building for years and could not be solved "
    "quickly.",
    "Opposition politicians called for an independent inquiry and said ministers had ignored repeated "
    "warnings.",
    "{resident}, {resident_job} from {city}, said people in the area felt forgotten.",
    "Officials declined to say how long the measures would remain in place.",
    "The ministry did not respond to a request for comment on {weekday} evening.",
    "Local newspapers reported that similar concerns had been raised at a public meeting in {month}.",
    "A spokesperson for the regional government said more details would be published in the coming days.",
    "The issue is expected to come up when the state assembly meets later this month.",
    "Figures published by the statistics office last month showed the problem was not limited to {city}.",
    "Critics say the response has been slow and poorly coordinated between different agencies.",
    "{official_last} is expected to meet community leaders in {city} later in the week.",
    "In {year}, a similar episode prompted a review whose recommendations were only partly carried out.",
    "{expert_last} said the numbers were likely to rise as more information became available.",
    "Social media users shared photographs of the scenes, and several posts were viewed hundreds of "
    "thousands of times.",
    "The chamber of commerce in {city} said its members were worried about the longer-term effects on "
    "trade.",
    "Analysts said the coming weeks would show whether the measures announced so far were enough.",
    "Community groups in {city} have started collecting signatures for a petition to the regional assembly.",
)

SPOKESPEOPLE = {
    "rail": ["a union spokesperson", "the union's general secretary"],
    "flood": ["a relief official"], "budget": ["the council leader"], "health": ["a hospital spokesperson"],
    "rates": ["the bank's governor", "the governor"], "breach": ["a company spokesperson"],
    "court": ["a company spokesperson", "the company's lawyer"], "election": ["the opposition leader"],
}

# The lead of a wire copy: the same facts, new words (for the syndication fixtures).
WIRE_LEADS = (
    "{city}, {weekday}: {lead_core}",
    "In a development closely watched across {region}, {lead_lower}",
)


_COMMON_STARTS = {"The", "Thousands", "Train", "Rescue", "At", "Voters", "Councillors", "Residents",
                  "Policymakers", "Data", "A"}


@dataclass
class Story:
    topic: str
    section: str
    tags: list[str]
    title: str
    paragraphs: list[str]
    alt_lead: str  # the same first paragraph rewritten, for syndicated copies
    alt_title: str  # and their headline
    cast: dict


def _cast(rng: random.Random, topic: Topic) -> dict:
    city, region = rng.choice(PLACES)
    names = rng.sample(FIRST, 3)
    lasts = rng.sample(LAST, 3)
    cast = {
        "city": city, "region": region, "weekday": rng.choice(WEEKDAYS),
        "official": f"{names[0]} {lasts[0]}", "official_last": lasts[0],
        "official_role": rng.choice(["a senior official in the district administration",
                                     f"the minister responsible for {region}", f"the mayor of {city}",
                                     "a spokesperson for the state government"]),
        "expert": f"{names[1]} {lasts[1]}", "expert_last": lasts[1],
        "expert_role": rng.choice([f"a professor at the University of {rng.choice(PLACES)[0]}",
                                   "a researcher at an independent think tank",
                                   "an analyst who has studied the sector for two decades"]),
        "resident": f"{names[2]} {lasts[2]}", "resident_job": rng.choice(JOBS),
        "n_small": str(rng.randint(2, 9)), "n_mid": str(rng.randint(12, 480)),
        "n_big": f"{rng.randint(11, 950) * 100:,}", "pct": str(rng.randint(21, 68)),
        "pct2": str(rng.randint(2, 9)), "money": f"${rng.randint(12, 980)} million",
        "year": str(rng.randint(2009, 2018)), "years": str(rng.randint(3, 7)),
        "month": rng.choice(["March", "May", "August", "October", "November"]),
    }
    for slot, choices in topic.vocab.items():
        cast[slot] = rng.choice(choices)
    cast["river"] = RIVERS[city]
    return cast


def make_story(rng: random.Random, topic: Topic | None = None, n_paragraphs: int | None = None) -> Story:
    """One story: a lead, then 1-2 sentence paragraphs drawn without replacement."""
    topic = topic or rng.choice(TOPICS)
    cast = _cast(rng, topic)
    n = n_paragraphs or rng.randint(6, 12)
    # Headline i goes with lead i; the other lead, reworded, opens the wire copies.
    pick = rng.randrange(len(topic.leads))
    leads = [topic.leads[pick], topic.leads[1 - pick]]
    lead = leads[0].format_map(cast)
    speakers = {"O": rng.choice([cast["official"] + " said", cast["official_last"] + " told reporters"]),
                "E": cast["expert_last"] + " said", "R": cast["resident"] + " said",
                "S": rng.choice(SPOKESPEOPLE[topic.key]) + " said"}
    quotes = [f'"{q[2:]}," {speakers[q[0]]}.' for q in rng.sample(topic.quotes, len(topic.quotes))]
    # Each story takes only part of its topic's pool, so stories on one topic differ.
    pool = [s.format_map(cast) for s in rng.sample(topic.body, rng.randint(5, 8))]
    shared = [s.format_map(cast) for s in rng.sample(SHARED, 5)]
    quotes = quotes[: rng.randint(1, 3)]
    paragraphs = [lead]
    while len(paragraphs) < n and (pool or shared or quotes):
        roll = rng.random()
        if quotes and roll < 0.22 and len(paragraphs) > 1:
            paragraphs.append(quotes.pop())
            continue
        source = pool if (pool and (roll < 0.7 or not shared)) else shared
        if not source:
            source = quotes
        size = 1 if rng.random() < 0.45 else 2
        paragraphs.append(" ".join(source.pop() for _ in range(min(size, len(source)))))
    core = leads[1].format_map(cast)
    first = core.split(" ", 1)[0]
    lower = core[0].lower() + core[1:] if first in _COMMON_STARTS else core
    alt = rng.choice(WIRE_LEADS).format_map({**cast, "lead_core": core, "lead_lower": lower})
    title = topic.titles[pick].format_map(cast)
    return Story(topic.key, topic.section, list(topic.tags), title, paragraphs, alt, topic.titles[2].format_map(cast),
                 cast)


# The seed case (National Herald, 5 January 2021): the 13 paragraphs the archive must hold.
SEED_TITLE = "Mexico offers political asylum to Julian Assange after UK court blocks extradition"
SEED_CARDS = (2, 3, 3, 5)  # paragraphs per story card, as on the scraped page
SEED_ALT_LEAD = ("Mexico's President Andres Manuel Lopez Obrador said on Monday his country was ready to "
                 "offer political asylum to WikiLeaks founder Julian Assange, hours after a British judge "
                 "ruled he should not be extradited to the United States because of the risk to his "
                 "mental health.")

SPANISH = (
    ("Lluvias torrenciales dejan miles de evacuados en el norte del país",
     ["Más de cuatro mil personas fueron evacuadas el martes en el norte del país después de que las lluvias "
      "torrenciales de los últimos tres días desbordaran varios ríos y cortaran carreteras principales.",
      "Protección Civil informó de que los equipos de rescate trabajaron durante toda la noche para llegar a "
      "las comunidades aisladas, algunas de ellas accesibles solo en helicóptero.",
      "\"El agua subió en menos de una hora y no tuvimos tiempo de sacar nada\", contó una vecina de la "
      "localidad de San Martín, que pasó la noche en un albergue instalado en una escuela.",
      "Las autoridades regionales declararon la emergencia en once municipios y pidieron a la población que "
      "evite los desplazamientos innecesarios.",
      "El servicio meteorológico prevé que las precipitaciones disminuyan a partir del jueves, aunque advirtió "
      "de que el nivel de los ríos podría seguir subiendo durante el fin de semana.",
      "Los agricultores de la zona calculan que las pérdidas en los cultivos de maíz y frijol superan los "
      "cien millones de pesos."]),
    ("El banco central mantiene las tasas de interés y advierte sobre la inflación",
     ["El banco central decidió el jueves mantener su tasa de interés de referencia en el 7,5 por ciento, "
      "aunque advirtió de que la inflación sigue por encima de su objetivo.",
      "En un comunicado, la junta de gobierno señaló que los precios de los alimentos y la energía continúan "
      "presionando el costo de vida de los hogares.",
      "La decisión fue unánime y coincidió con lo que esperaba la mayoría de los analistas consultados en "
      "una encuesta la semana pasada.",
      "La inflación anual se situó en el 5,8 por ciento en el último mes, frente al 6,1 por ciento del mes "
      "anterior, según datos del instituto de estadística.",
      "Economistas de varias consultoras consideran que el banco podría empezar a recortar las tasas en el "
      "segundo semestre si la tendencia se mantiene.",
      "El peso se apreció ligeramente frente al dólar tras el anuncio, mientras que la bolsa cerró con "
      "pocos cambios.",
      "La próxima reunión de política monetaria está prevista para dentro de seis semanas."]),
    ("Un tribunal ordena el cierre de una fábrica por contaminar un río",
     ["Un tribunal regional ordenó el lunes el cierre temporal de una fábrica de papel acusada de verter "
      "residuos sin tratar en el río que abastece de agua a tres municipios.",
      "La sentencia responde a una demanda presentada hace dos años por una asociación de vecinos que "
      "denunció la muerte de miles de peces y el mal olor del agua.",
      "Según los informes técnicos presentados durante el juicio, los niveles de contaminación superaron "
      "los límites legales en más de cuarenta ocasiones.",
      "La empresa negó las acusaciones y anunció que recurrirá la decisión ante la instancia superior.",
      "Unos trescientos trabajadores se concentraron frente a la planta para exigir garantías sobre sus "
      "puestos de trabajo.",
      "\"Queremos que la fábrica siga abierta, pero también queremos un río limpio para nuestros hijos\", "
      "dijo uno de los portavoces de la asociación vecinal.",
      "La autoridad ambiental tendrá un plazo de treinta días para supervisar las obras de depuración que "
      "exige el tribunal."]),
)


def shingles(text: str) -> set[tuple[str, ...]]:
    words = text.lower().split()
    return {tuple(words[i:i + 3]) for i in range(len(words) - 2)}


def jaccard(a: set, b: set) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0


class Distinct:
    """Draws stories until one is far enough from every story drawn before (word
    3-shingle Jaccard below `limit`) and has a headline of its own."""

    def __init__(self, limit: float = 0.3):
        self.limit = limit
        self.seen: list[set] = []
        self.titles: set[str] = set()

    def add(self, paragraphs: list[str], title: str) -> None:
        self.seen.append(shingles(" ".join(paragraphs)))
        self.titles.add(title)

    def story(self, rng: random.Random) -> Story:
        for _ in range(200):
            story = make_story(rng)
            marks = shingles(" ".join(story.paragraphs))
            if story.title not in self.titles and all(jaccard(marks, s) < self.limit for s in self.seen):
                self.seen.append(marks)
                self.titles.add(story.title)
                return story
        raise RuntimeError("could not draw a distinct story: widen the sentence pools")

"""Small made-up news sites for the learned-boilerplate and re-extraction tests.

Every article's paragraphs are built from distinct words (a town, a subject, a person), so
story lines never repeat across articles unless a test puts a shared line in on purpose.
"""
from __future__ import annotations

from html import escape

TOWNS = ["Ashford", "Brookhaven", "Cedar Falls", "Dunmore", "Eastwick", "Fairhaven", "Glenrock",
         "Harwich", "Ironwood", "Juniper Hill", "Kingsbridge", "Lakemont", "Millbrook", "Northgate",
         "Oakridge", "Pinecrest", "Queensbury", "Riverton", "Stonefield", "Thornbury", "Upton Vale",
         "Westmere"]
SUBJECTS = ["library renovation", "bus timetable", "flood barrier", "school lunch menu", "bridge repair",
            "farmers market", "parking fees", "tree planting drive", "water main", "youth football league",
            "recycling scheme", "museum wing", "cycle lane", "harbour dredging", "street lighting",
            "allotment waiting list", "swimming pool roof", "ferry contract", "housing survey",
            "broadband rollout", "snow clearing budget", "theatre grant"]
PEOPLE = ["Ada Whitlock", "Bernard Osei", "Clara Mendes", "Dmitri Volkov", "Elena Strauss", "Farid Haddad",
          "Greta Lund", "Hugo Marchetti", "Ines Carvalho", "Jonas Berg", "Keiko Tanaka", "Liam Gallagher",
          "Maya Okafor", "Nils Jansen", "Olga Petrova", "Pablo Ruiz", "Quinn Harper", "Rosa Lindqvist",
          "Samir Nasser", "Tessa Moreau", "Uma Patel", "Victor Hale"]


def story(i: int) -> list[str]:
    """Six story paragraphs for article i, unlike any other article's."""
    town, subject, person = TOWNS[i % len(TOWNS)], SUBJECTS[i % len(SUBJECTS)], PEOPLE[i % len(PEOPLE)]
    other = PEOPLE[(i + 7) % len(PEOPLE)]
    return [
        f"Councillors in {town} approved the {subject} after a long evening session that ran past midnight.",
        f"{person}, who chairs the {town} works committee, said the {subject} had been delayed by rising costs.",
        f"Opponents argued that the money for the {subject} would be better spent on roads around {town}.",
        f"{other} told the meeting that residents of {town} had waited long enough for a decision.",
        f"Contractors are expected to begin work on the {subject} in {town} before the end of the season.",
        f"A public exhibition about the {subject} will open at the {town} civic hall next month, {person} added.",
    ]


def article_html(title: str, paragraphs: list[str], *, url: str, site: str = "The Daily Courier",
                 extra_chrome: str = "") -> str:
    body = "\n".join(f"      <p>{escape(p)}</p>" for p in paragraphs)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>{escape(title)} | {escape(site)}</title>
  <link rel="canonical" href="{escape(url)}">
  <meta property="og:title" content="{escape(title)}">
  <meta property="og:site_name" content="{escape(site)}">
  <meta property="og:type" content="article">
  <meta name="author" content="Staff Reporter">
  <meta property="article:published_time" content="2024-03-05T08:30:00+00:00">
</head>
<body>
  <header><nav><a href="/">Home</a> <a href="/local">Local</a> <a href="/sport">Sport</a></nav></header>
  <main>
    <article>
      <h1>{escape(title)}</h1>
{body}
    </article>
    {extra_chrome}
  </main>
  <footer><p>&copy; 2024 {escape(site)}</p><a href="/privacy">Privacy</a></footer>
</body>
</html>
"""

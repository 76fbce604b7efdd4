"""The SQLite archive: `from storage import Archive`.

For notebooks and scripts::

    from storage import Archive

    with Archive("newsdesk.db") as archive:            # opens (and migrates) the file
        for hit in archive.search("assange asylum", since="2024-01-01", collapse=True):
            print(hit["id"], hit["title"], hit["snippet"], hit["copies"])
        article = archive.get(hit["id"])              # by id, canonical or fetched URL
        others = archive.copies(article["id"])        # the same story on other sites
        rows = list(archive.articles(source="herald", language="en"))  # streamed, id order
        found = archive.articles(query='"political asylum"', since="2021-01-01")  # every match
        saved = archive.save(extract_article(html, url))  # new / updated / unchanged / duplicate

`search` takes plain words or FTS5 syntax ("a phrase", prefix*, OR, NOT, title:word).
"""
from storage.archive import Archive

__all__ = ["Archive"]

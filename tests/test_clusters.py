"""Syndication clusters: copies of one wire story share a cluster_id, unrelated stories do not."""
from __future__ import annotations

import dataclasses
import hashlib
import itertools
import json
import subprocess
import sys
from pathlib import Path

import pytest

from bench.newsgen import NewsGenerator, syndication_set
from ingest.clusters import signature
from ingest.models import Article, Rejected
from storage import Archive
from storage.clusters import MERGE_MIN, backfill, merge_recent
from storage.signer import PROCESS_MIN

ROOT = Path(__file__).resolve().parents[1]


def pairwise_scores(labels: dict[int, int], clusters: dict[int, int]) -> tuple[float, float, int, int, int]:
    """Pairwise precision and recall of predicted clusters against true story labels (-1: alone)."""
    tp = fp = fn = 0
    for a, b in itertools.combinations(labels, 2):
        truth = labels[a] == labels[b] != -1
        predicted = clusters[a] == clusters[b]
        tp += truth and predicted
        fp += predicted and not truth
        fn += truth and not predicted
    return tp / max(tp + fp, 1), tp / max(tp + fn, 1), tp, fp, fn


def test_syndicated_copies_cluster_with_high_precision_and_recall(tmp_path: Path) -> None:
    data = syndication_set(stories=50, unrelated=500, seed=11)
    stories = {label for _, label in data if label != -1}
    assert len(stories) == 50 and len(data) - sum(label != -1 for _, label in data) == 500
    with Archive(tmp_path / "news.db") as archive:
        labels = {}
        for n, (article, label) in enumerate(data):
            if n == len(data) // 2:  # the first half's band keys move to lsh_bands: lookups see both tables
                merge_recent(archive.write)
            labels[archive.save(article).article_id] = label
        clusters = dict(archive.conn.execute("SELECT id, cluster_id FROM articles"))
        in_bands, in_recent = (archive.conn.execute(f"SELECT count(DISTINCT article_id) FROM {t}").fetchone()[0]
                               for t in ("lsh_bands", "lsh_recent"))
        assert in_bands == len(data) // 2 and in_bands + in_recent == len(data)
    precision, recall, tp, fp, fn = pairwise_scores(labels, clusters)
    print(f"\ncluster pairs: precision {precision:.4f} recall {recall:.4f} (tp {tp}, fp {fp}, fn {fn})")
    assert precision >= 0.95, (tp, fp, fn)
    assert recall >= 0.95, (tp, fp, fn)
    # cluster_id is the smallest id of the story's articles
    for cluster_id in set(clusters.values()):
        members = [i for i, c in clusters.items() if c == cluster_id]
        assert cluster_id == min(members)


@pytest.mark.parametrize("size", [7, 100])
def test_save_many_gives_the_same_outcomes_and_clusters_as_save(tmp_path: Path, size: int) -> None:
    """In batches of 7, and in one batch where the same URL comes back (new, then unchanged,
    updated, fetched through another URL)."""
    data = [a for a, _ in syndication_set(stories=8, unrelated=30, seed=3)]
    changed = dataclasses.replace(data[0], text=data[0].text + "\nA correction was appended.",
                                  content_hash="changed")
    refetched = dataclasses.replace(data[1], fetched_url=data[1].url + "?utm_source=feed")
    batch = [*data, data[2], changed, refetched, Rejected("https://x.example/", "HTTP 500", kind="error")]
    with Archive(tmp_path / "one.db") as one, Archive(tmp_path / "many.db") as many:
        singles = [one.save(item) for item in batch]
        together = many.save_many(batch, batch=size)
        assert [s.outcome for s in singles] == [s.outcome for s in together]
        assert {"new", "unchanged", "updated", "duplicate", "error"} <= {s.outcome for s in together}
        query = "SELECT id, cluster_id, revision FROM articles ORDER BY id"
        assert one.conn.execute(query).fetchall() == many.conn.execute(query).fetchall()
        logged = "SELECT url, outcome, article_id FROM fetches ORDER BY id"
        assert one.conn.execute(logged).fetchall() == many.conn.execute(logged).fetchall()


def test_a_bulk_batch_signed_in_the_helper_process_clusters_as_single_saves(tmp_path: Path) -> None:
    """A batch of PROCESS_MIN texts or more is signed by storage.signer's helper process while
    it is written: the same signatures, so the same clusters, as saving one by one."""
    data = [a for a, _ in syndication_set(stories=20, unrelated=PROCESS_MIN, seed=9)]
    with Archive(tmp_path / "one.db") as one, Archive(tmp_path / "many.db") as many:
        for item in data:
            one.save(item)
        many.save_many(data, batch=len(data))
        query = "SELECT id, cluster_id FROM articles ORDER BY id"
        clusters = one.conn.execute(query).fetchall()
        assert many.conn.execute(query).fetchall() == clusters
        assert len({c for _, c in clusters}) < len(clusters)  # there were copies to find
        signed = "SELECT article_id, signature FROM minhash ORDER BY article_id"
        assert many.conn.execute(signed).fetchall() == one.conn.execute(signed).fetchall()


@pytest.mark.parametrize("together", [False, True], ids=["one by one", "in one batch"])
def test_an_article_bridging_two_clusters_merges_them(tmp_path: Path, together: bool) -> None:
    """The two halves of a story share no shingles; the whole story contains both, so it joins
    both clusters, which become one under the smaller id."""
    gen = NewsGenerator(seed=5)
    story = gen.story(paragraphs=(10, 10))
    with Archive(tmp_path / "news.db") as archive:
        def cluster(article_id: int | None) -> int:
            return archive.get(article_id)["cluster_id"]

        first = archive.save(gen.article(dataclasses.replace(story, paragraphs=story.paragraphs[:5]), site="herald"))
        unrelated = archive.save(gen.article(gen.story(), site="gazette"))
        second = archive.save(gen.article(dataclasses.replace(story, paragraphs=story.paragraphs[5:]), site="post"))
        assert (cluster(first.article_id), cluster(second.article_id)) == (first.article_id, second.article_id)
        whole, again = gen.article(story, site="ledger"), gen.article(story, site="tribune")
        saved = archive.save_many([whole, again]) if together else [archive.save(whole), archive.save(again)]
        members = [first.article_id, second.article_id, *(s.article_id for s in saved)]
        assert {cluster(i) for i in members} == {first.article_id}
        assert cluster(unrelated.article_id) == unrelated.article_id
        assert sorted(c["id"] for c in archive.copies(first.article_id)) == members[1:]


def article(url: str, text: str, source: str) -> Article:
    return Article(url=url, fetched_url=url, title=url, text=text, source=source,
                   content_hash=hashlib.sha256(text.encode()).hexdigest(), word_count=len(text.split()))


def test_exact_copy_under_another_url_joins_the_cluster(tmp_path: Path) -> None:
    text = "Three words only."  # too short for shingles to say much: the content hash decides
    with Archive(tmp_path / "news.db") as archive:
        first = archive.save(article("https://a.example/x", text, "a"))
        second = archive.save(article("https://b.example/y", text, "b"))
        other = archive.save(article("https://c.example/z", "Something else entirely.", "c"))
        assert second.outcome == "new"
        assert archive.get(second.article_id)["cluster_id"] == first.article_id
        assert archive.get(other.article_id)["cluster_id"] == other.article_id
        assert [c["id"] for c in archive.copies(first.article_id)] == [second.article_id]


def test_clustering_is_incremental_across_processes(tmp_path: Path) -> None:
    gen = NewsGenerator(seed=21)
    story = gen.story()
    db = tmp_path / "news.db"
    with Archive(db) as archive:
        first = archive.save(gen.article(story, site="herald"))
        for _ in range(20):
            archive.save(gen.article())
    copy = gen.copy_of(story, ["lead", "footer"], "gazette")
    script = (
        "import sys, json, hashlib\n"
        "from storage import Archive\nfrom ingest.models import Article\n"
        "text = json.load(sys.stdin)\n"
        "a = Article(url='https://gazette.example/copy', fetched_url='https://gazette.example/copy', "
        "title='A new headline', text=text, source='gazette', "
        "content_hash=hashlib.sha256(text.encode()).hexdigest())\n"
        f"print(Archive({str(db)!r}).save(a).article_id)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], input=json.dumps(copy.text), cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    with Archive(db) as archive:
        assert archive.get(int(done.stdout))["cluster_id"] == first.article_id


def test_update_that_becomes_a_copy_joins_and_backfill_rebuilds(tmp_path: Path) -> None:
    gen = NewsGenerator(seed=4)
    story, other = gen.story(), gen.story()
    with Archive(tmp_path / "news.db") as archive:
        a = archive.save(gen.article(story, site="herald"))
        b_article = gen.article(other, site="post")
        b = archive.save(b_article)
        assert archive.get(b.article_id)["cluster_id"] == b.article_id
        # the page at b's URL now carries the wire story: a new revision, and it joins a's cluster
        moved = dataclasses.replace(b_article, text=story.text + "\nFrom the wires.",
                                    content_hash="moved")
        assert archive.save(moved).outcome == "updated"
        assert archive.get(b.article_id)["cluster_id"] == a.article_id
        # the old text's band rows went with it (deleted by key: there is no article_id index)
        band_rows = ("SELECT band, key FROM (SELECT * FROM lsh_bands UNION ALL SELECT * FROM lsh_recent) "
                     "WHERE article_id = ? ORDER BY band")
        assert archive.conn.execute(band_rows, (b.article_id,)).fetchall() == signature(moved.text).band_keys()
        # an archive whose signatures are gone (made before clustering existed) gets them back
        with archive.write() as conn:
            conn.execute("DELETE FROM lsh_bands")
            conn.execute("DELETE FROM lsh_recent")
            conn.execute("DELETE FROM minhash")
            conn.execute("UPDATE articles SET cluster_id = NULL")
            assert backfill(conn) == 2
        assert {archive.get(i)["cluster_id"] for i in (a.article_id, b.article_id)} == {a.article_id}


def test_signature_ignores_case_and_punctuation_but_not_words() -> None:
    base = signature("The minister said, on Tuesday, that the bridge would reopen in May.")
    assert base.jaccard(signature("the MINISTER said on tuesday that the bridge would reopen in may")) == 1.0
    assert base.jaccard(signature("A court in Lagos ruled against the airline on Friday evening.")) < 0.2
    assert signature("") is None


def test_signature_is_datasketch_affine32_minhash_bit_for_bit() -> None:
    """Stored signatures were made with datasketch; the numpy version must give the same values."""
    from datasketch import MinHash

    from ingest.clusters import NUM_PERM, SCHEME, SEED, shingle_hashes

    gen = NewsGenerator(seed=2)
    for text in [gen.story().text for _ in range(30)] + ["one two", "Émile à Paris, déjà vu", "x"]:
        reference = MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME, hashfunc=lambda v: v)
        reference.update_batch(shingle_hashes(text).tolist())
        sig = signature(text)
        assert sig.hashvalues.dtype == "uint32"
        assert sig.hashvalues.tolist() == reference.hashvalues.tolist()


def test_band_keys_move_to_lsh_bands_once_enough_gathered(tmp_path: Path) -> None:
    """New band keys go to lsh_recent; a save that brings it to MERGE_MIN articles moves them
    all into lsh_bands, and copies saved afterwards still find the earlier ones."""
    gen = NewsGenerator(seed=8)
    story = gen.story()
    with Archive(tmp_path / "news.db") as archive:
        first = archive.save(gen.article(story, site="herald"))
        archive.save_many([gen.article(paragraphs=(2, 4)) for _ in range(MERGE_MIN - 2)])
        count = "SELECT count(*) FROM {}"
        assert archive.conn.execute(count.format("lsh_bands")).fetchone()[0] == 0
        copy = archive.save(gen.article(story, site="post"))  # the MERGE_MIN-th article
        assert archive.conn.execute(count.format("lsh_recent")).fetchone()[0] == 0
        assert archive.conn.execute(count.format("lsh_bands")).fetchone()[0] == 42 * MERGE_MIN
        assert archive.conn.execute("SELECT merged_through FROM lsh_state").fetchone()[0] == copy.article_id
        assert archive.get(copy.article_id)["cluster_id"] == first.article_id
        late = archive.save(gen.article(story, site="ledger"))
        assert archive.get(late.article_id)["cluster_id"] == first.article_id
        assert archive.conn.execute(count.format("lsh_recent")).fetchone()[0] == 42

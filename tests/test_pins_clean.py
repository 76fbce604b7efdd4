"""ingest.clean, line by line: the text as stored and hashed, the key under which lines are
compared with learned boilerplate, and where a line stops being boilerplate (bylines,
lengths, repeats). Each test pins a behaviour `make mutation` found untested."""
from __future__ import annotations

import pytest

from ingest.clean import (clean_lines, clean_text, is_byline, is_call_to_action, is_copyright_notice,
                          is_placeholder_line, is_teaser_or_ad, is_timestamp_line, normalize_line,
                          normalize_text, repeated_label_lines)


def test_normalize_text_one_paragraph_per_line_whitespace_collapsed():
    assert normalize_text("  One   two \n\n\t three  \r\nfour") == "One two\nthree\nfour"
    assert normalize_text("Cafe\u0301 ouvert") == "Caf\u00e9 ouvert"  # NFC: the hash does not depend on it


def test_normalize_line_keys_boilerplate_across_years_and_punctuation():
    assert normalize_line("© 2024 Herald_Media — All rights reserved!") == "0 herald media all rights reserved"
    assert normalize_line("© 2025 herald media: all rights reserved") == "0 herald media all rights reserved"
    assert normalize_line("ＡＢＣ 12 and 345") == "abc 0 and 0"  # NFKC folds full-width letters


# -- bylines -----------------------------------------------------------------------

@pytest.mark.parametrize("line", [
    "By Jane and Joe", "Von Anna und Ben", "Par Anne et Luc", "Por Ana y Luis", "Par Anne de Brun",
    "Door Jan van Dijk", "Von Anna von Arnim", "Von Hans der Bauer",
])
def test_name_particles_do_not_count_against_a_byline(line):
    assert is_byline(line)


@pytest.mark.parametrize("line, expected", [
    ("By Jane Doe, John smith", True),  # three of four names capitalized is enough
    ("By Jane Doe, john smith, jim roe", False),
    ("By the Numbers", False),  # a heading, not a byline
    ("By the way", False),
    ("By Jane in the newsroom", False),
    ("Anonymous", False),
    ("By Jane Doe, John Roe, Ann Poe and Max Moe", True),  # ten words
    ("By Jane Doe, John Roe, Ann Poe and Max Moe Lee", False),  # eleven
])
def test_byline_shape(line, expected):
    assert is_byline(line) is expected


@pytest.mark.parametrize("end", [".", "!", "?", '"', "”", ". "])
def test_a_line_ending_like_a_sentence_is_no_byline(end):
    assert not is_byline("By Jane Doe" + end)


def test_bare_author_names_are_bylines_only_when_they_are_the_authors():
    assert is_byline("jane doe", {"jane doe"})
    assert is_byline("by jane doe", {"jane doe"})
    assert not is_byline("jane roe", {"jane doe"})


# -- lengths at which a line stops being judged by its shape -------------------------

def test_placeholder_lines_up_to_80_characters():
    line = "Published:" + " " * 61 + "undefined"
    assert len(line) == 80 and is_placeholder_line(line)
    assert not is_placeholder_line(line.replace(":", ": "))


def test_teasers_up_to_25_words():
    line = "Also read: " + " ".join(["Council"] * 23)
    assert is_teaser_or_ad(line)
    assert not is_teaser_or_ad(line + " budget")


def test_copyright_notices_up_to_40_words():
    line = "© 2024 Herald Media " + " ".join(["rights"] * 36)
    assert is_copyright_notice(line)
    assert not is_copyright_notice(line + " reserved")


def test_calls_to_action_behind_an_emoji():
    assert is_call_to_action("👉Follow us on Instagram")
    assert is_call_to_action("X Facebook")  # a share bar of two networks; the first is X
    assert not is_call_to_action("» »")


# -- lines repeated inside one article ---------------------------------------------

@pytest.mark.parametrize("end", [".", "!", "?", "…", '"', "”", "»", "“", "'", ". "])
def test_a_sentence_may_come_twice_but_not_three_times(end):
    line = "Read the full report here" + end
    assert repeated_label_lines([line, "Body", line]) == set()
    assert repeated_label_lines([line, "Body", line, line]) == {"read the full report here"}


def test_a_quote_inside_a_short_line_makes_it_a_sentence():
    line = "He said „no“ to that"
    assert repeated_label_lines([line, line]) == set()


def test_short_labels_twice_are_template_lines():
    assert repeated_label_lines(["Follow us on X", "Body", "Follow us on X"]) == {"follow us on x"}
    eight = "Share this story with your friends and family"
    nine = "Share this story with all your friends and family"
    assert repeated_label_lines([eight, eight]) == {normalize_line(eight)}
    assert repeated_label_lines([nine, nine]) == set()


def test_data_and_structure_lines_before_a_label_do_not_stop_the_search():
    lines = ["Arsenal 2 Chelsea 1", "Arsenal 2 Chelsea 1", "| a | b |", "| a | b |",
             " ".join(["word"] * 30), " ".join(["word"] * 30), " ".join(["word"] * 30),
             "Share this", "Share this"]
    assert repeated_label_lines(lines) == {"share this"}


def test_a_sentence_twice_does_not_stop_the_search():
    sentence = "Read the full report here."
    assert repeated_label_lines([sentence, sentence, "Share this", "Share this"]) == {"share this"}


def test_a_whole_paragraph_of_30_words_three_times_is_kept_once():
    paragraph = " ".join(["word"] * 29) + " end"
    assert repeated_label_lines([paragraph] * 3) == set()
    assert clean_lines([paragraph] * 3) == [paragraph]


# -- clean_lines and clean_text ----------------------------------------------------

def test_list_items_and_dashes_are_judged_by_their_content():
    for byline in ("— By Jane Doe", "- By Jane Doe", "–By Jane Doe"):
        assert clean_lines([byline, "The council met on Tuesday."]) == ["The council met on Tuesday."]


def test_boilerplate_shapes_are_judged_up_to_200_characters():
    notice = "© 2024 Herald Media. All rights reserved. " + " ".join(["Reproduction"] * 12)
    notice = notice + " " + "x" * (200 - len(notice) - 1)
    assert len(notice) == 200
    assert clean_lines([notice, "The council met on Tuesday."]) == ["The council met on Tuesday."]
    longer = notice + "x"
    assert clean_lines([longer, "The council met on Tuesday."]) == [longer, "The council met on Tuesday."]


def test_timestamp_lines():
    assert is_timestamp_line("Updated: 10:30")
    assert is_timestamp_line("May 2024")
    line = "Updated:" + " " * 55 + " 2024-05-01 10:30"
    assert len(line) == 80 and is_timestamp_line(line)
    assert not is_timestamp_line(line.replace(": ", ":  "))  # 81 characters


def test_calls_to_action_by_length_and_where_the_channel_is():
    twelve = "Join the big and friendly crowd of readers who chat on Telegram"
    assert is_call_to_action(twelve)  # a short line: the channel may come anywhere
    assert not is_call_to_action(twelve.replace("on Telegram", "on daily Telegram"))  # 13 words: too far
    assert is_call_to_action("Join our Telegram channel and get the news of the day with lots of extra stories")
    # a long line: the channel within six words of the verb
    assert is_call_to_action("Join the official Telegram channel of the Herald and get the news of the day "
                             "with lots of stories")
    # verb last (German): up to six words it needs no channel, up to twelve it names one
    assert is_call_to_action("Bitte gleich heute unsere Seite abonnieren!")
    assert not is_call_to_action("Bitte gleich heute hier unsere Seite abonnieren!")
    twelve_de = "Bitte jetzt gleich und ganz einfach unseren neuen WhatsApp-Kanal gleich hier abonnieren!"
    assert is_call_to_action(twelve_de)
    assert not is_call_to_action(twelve_de.replace("ganz einfach", "ganz und gar einfach"))
    thirty = "Follow us on Instagram for " + " ".join(["more"] * 25)
    assert is_call_to_action(thirty)
    assert not is_call_to_action(thirty + " more")


def test_separator_lines_are_dropped_and_the_rest_kept():
    assert clean_lines(["* * *", "The council met on Tuesday.", "***", "It passed the budget."]) == \
        ["The council met on Tuesday.", "It passed the budget."]


def test_clean_text_drops_title_author_and_learned_boilerplate():
    text = ("Budget  passed\n\nBy Jane Doe\njane doe\nThe council met on Tuesday.\n"
            "Herald Media Group, Harbour Street\n  It passed the budget.  ")
    learned = frozenset({normalize_line("Herald Media Group, Harbour Street")})
    assert clean_text(text, titles=["Budget passed"], authors=["Jane Doe"], boilerplate=learned) == \
        "The council met on Tuesday.\nIt passed the budget."
    assert clean_text(text) == \
        "Budget passed\njane doe\nThe council met on Tuesday.\nHerald Media Group, Harbour Street\nIt passed the budget."

"""HTML for the demo sites: one article template per CMS style, plus home and listing pages.

The boilerplate is deliberate and mirrors what real templates leave in article bodies:
Quintype's empty `Published: undefined` card metadata and social footer (herald),
WordPress share bars, follow/subscribe calls, related posts and comments (wpdaily), and
a wire service's app promotion and syndication footer (wirenews). None of it is in the
expected text.
"""
from __future__ import annotations

import json
from html import escape

from ingest.demo_sites.build import DemoArticle, DemoSite

FOLLOW = "Follow us on: Facebook, Twitter, Google News, Instagram"
TELEGRAM = "Join our official telegram channel (@nationalherald) and stay updated with the latest headlines"
COMMENTS = (
    ("Ravi", "Thanks for reporting this. The local papers barely covered it."),
    ("M. Clarke", "I would like to see the full figures rather than a summary."),
    ("Anonymous", "Same thing happened here two years ago and nothing changed afterwards."),
    ("Joanna", "Good piece. Will there be a follow-up once the review is published?"),
)


def _e(text: str) -> str:
    return escape(text, quote=True)


def _jsonld(data: dict) -> str:
    # "</" inside a <script> would end it early; JSON allows the escaped form.
    return json.dumps(data, ensure_ascii=False, indent=1).replace("</", "<\\/")


def _head(title: str, canonical: str, extra: str = "", lang: str = "en") -> str:
    return (f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f'<title>{_e(title)}</title>\n<link rel="canonical" href="{_e(canonical)}">\n{extra}</head>\n')


def _related(site: DemoSite, article: DemoArticle, heading: str, css: str) -> str:
    items = "".join(f'<li><a href="{_e(p)}">{_e(site.article(p).title)}</a></li>'
                    for p in article.related if site.article(p))
    return f'<div class="{css}"><h2>{heading}</h2><ul>{items}</ul></div>\n'


# -- herald: Quintype ---------------------------------------------------------------------

def herald_article(site: DemoSite, article: DemoArticle, base: str) -> str:
    url = base + article.path
    iso = article.published.isoformat()
    meta = (f'<meta name="description" content="{_e(article.description)}">\n'
            f'<meta property="og:type" content="article">\n<meta property="og:title" content="{_e(article.title)}">\n'
            f'<meta property="og:url" content="{_e(url)}">\n<meta property="og:site_name" content="{_e(site.name)}">\n'
            f'<meta name="author" content="{_e(article.author)}">\n'
            f'<meta property="article:published_time" content="{iso}">\n'
            f'<meta property="article:section" content="{_e(article.section.title())}">\n'
            f'<link rel="alternate" type="application/rss+xml" title="{_e(site.name)}" href="{base}/stories.rss">\n')
    # Variants seen on Quintype sites: the card metadata as a <p> or a <span>, and the
    # social footer as one more text element (inside the story) or a block after it.
    card_meta = ('<div class="card-meta"><span class="card-published">Published: undefined</span></div>'
                 if article.variant == 1 else '<div class="arr--element-container"><p>Published: undefined</p></div>')
    cards, start = [], 0
    for i, size in enumerate(article.cards or (len(article.paragraphs),)):
        paras = "".join(f"<p>{_e(p)}</p>" for p in article.paragraphs[start:start + size])
        start += size
        if article.variant == 2:
            paras = f'<div class="text-m__text">{paras}</div>'
        text = f'<div class="story-element story-element-text">{paras}</div>'
        cards.append(f'<div class="story-card" id="card-{i + 1}">\n{text}\n{card_meta}\n</div>\n')
    css = "social-follow" if article.variant == 2 else "story-element story-element-text"
    footer = f'<div class="{css}"><p>{_e(FOLLOW)}</p>\n<p>{_e(TELEGRAM)}</p></div>\n{card_meta}\n'
    inside = footer if article.variant == 0 else ""
    outside = footer if article.variant != 0 else ""
    return (_head(f"{article.title} | {site.name}", url, meta) +
            '<body>\n<div id="container">\n'
            f'<header class="header"><a class="logo" href="/">{_e(site.name)}</a>\n'
            '<nav><a href="/national">National</a> <a href="/international">International</a></nav></header>\n'
            '<main>\n<div class="story-wrapper arr--story-page">\n<div class="story-head">\n'
            f'<a class="section-tag" href="/{_e(article.section)}">{_e(article.section.title())}</a>\n'
            f'<h1 class="headline">{_e(article.title)}</h1>\n'
            f'<div class="author-details"><span class="author-name">{_e(article.author)}</span>\n'
            f'<time class="published-date" datetime="{iso}">Published: '
            f'{article.published:%d %b %Y, %I:%M %p}</time></div>\n</div>\n'
            f'<div class="story-element-container">\n{"".join(cards)}{inside}</div>\n{outside}'
            + _related(site, article, "Related Stories", "related-stories") +
            '</div>\n</main>\n'
            f'<footer class="site-footer"><p>&copy; 2021 {_e(site.name)}. All rights reserved.</p></footer>\n'
            '</div>\n</body>\n</html>\n')


# -- wpdaily: WordPress --------------------------------------------------------------------

def wpdaily_article(site: DemoSite, article: DemoArticle, base: str) -> str:
    url = base + article.path
    iso = article.published.isoformat()
    modified = article.modified or article.published
    meta = (f'<link rel="shortlink" href="{base}/?p={article.post_id}">\n'
            f'<link rel="alternate" type="application/atom+xml" title="{_e(site.name)} &raquo; Feed" '
            f'href="{base}/feed/atom">\n<meta property="og:type" content="article">\n'
            f'<meta property="og:title" content="{_e(article.title)}">\n'
            f'<meta property="og:description" content="{_e(article.description)}">\n'
            f'<meta property="og:site_name" content="{_e(site.name)}">\n'
            f'<meta property="article:published_time" content="{iso}">\n'
            f'<meta property="article:modified_time" content="{modified.isoformat()}">\n'
            '<meta name="generator" content="WordPress 5.6">\n')
    authors = " and ".join(
        f'<span class="author vcard"><a class="url fn n" href="/author/{"-".join(a.lower().split())}/">'
        f'{_e(a)}</a></span>' for a in article.authors)
    body = "\n".join(f"<p>{_e(p)}</p>" for p in article.paragraphs)
    share = ('<div class="sharedaddy sd-sharing-enabled"><div class="robots-nocontent sd-block sd-social">'
             '<h3 class="sd-title">Share this:</h3><div class="sd-content"><ul>'
             '<li class="share-facebook"><a href="#">Facebook</a></li><li class="share-x"><a href="#">X</a></li>'
             '<li class="share-jetpack-whatsapp"><a href="#">WhatsApp</a></li></ul></div></div></div>\n')
    calls = ('<p class="follow-cta">Follow us on Facebook, X and Instagram for the latest updates.</p>\n'
             '<div class="newsletter-signup"><p>Subscribe to our newsletter to get the day&rsquo;s top stories '
             'in your inbox.</p><form><input type="email" placeholder="Email"><button>Subscribe</button>'
             '</form></div>\n')
    if article.variant == 1:  # some themes print the calls before the share bar
        share, calls = calls, share
    comments = "".join(
        f'<li class="comment"><article class="comment-body"><footer class="comment-meta">'
        f'<div class="comment-author vcard"><b class="fn">{_e(who)}</b> <span class="says">says:</span></div>'
        f'</footer><div class="comment-content"><p>{_e(text)}</p></div></article></li>'
        for who, text in COMMENTS[: 2 + article.post_id % 3])
    n_comments = 2 + article.post_id % 3
    return (_head(f"{article.title} - {site.name}", url, meta) +
            f'<body class="post-template-default single single-post postid-{article.post_id} single-format-standard">\n'
            '<div id="page" class="site">\n<header id="masthead" class="site-header">'
            f'<p class="site-title"><a href="/" rel="home">{_e(site.name)}</a></p>\n'
            '<nav id="site-navigation" class="main-navigation"><ul><li><a href="/category/news/">News</a></li>'
            '<li><a href="/category/world/">World</a></li><li><a href="/about/">About</a></li></ul></nav></header>\n'
            '<div id="content" class="site-content"><main id="main" class="site-main">\n'
            f'<article id="post-{article.post_id}" class="post-{article.post_id} post type-post status-publish">\n'
            f'<header class="entry-header"><h1 class="entry-title">{_e(article.title)}</h1>\n'
            f'<div class="entry-meta"><span class="posted-on">Posted on <a href="{_e(url)}" rel="bookmark">'
            f'<time class="entry-date published" datetime="{iso}">{article.published:%B %-d, %Y}</time>'
            f'<time class="updated" datetime="{modified.isoformat()}">{modified:%B %-d, %Y}</time></a></span> '
            f'<span class="byline">by {authors}</span></div></header>\n'
            f'<div class="entry-content">\n{body}\n{share}{calls}'
            '<div id="jp-relatedposts" class="jp-relatedposts">'
            + _related(site, article, "Related posts", "jp-relatedposts-items") + '</div>\n</div>\n'
            f'<footer class="entry-footer"><span class="cat-links">Posted in <a href="/category/'
            f'{article.section.lower()}/" rel="category tag">{_e(article.section)}</a></span> '
            f'<span class="tags-links">Tagged {", ".join(_e(t) for t in article.tags)}</span></footer>\n'
            '</article>\n'
            f'<div id="comments" class="comments-area"><h2 class="comments-title">{n_comments} thoughts on '
            f'&ldquo;{_e(article.title)}&rdquo;</h2><ol class="comment-list">{comments}</ol>\n'
            '<div id="respond" class="comment-respond"><h3 class="comment-reply-title">Leave a Reply</h3>'
            '<form class="comment-form"><p>Your email address will not be published.</p>'
            '<textarea name="comment"></textarea><input type="submit" value="Post Comment"></form></div></div>\n'
            '</main></div>\n<aside id="secondary" class="widget-area"><section class="widget">'
            '<h2 class="widget-title">Recent Posts</h2><ul>'
            + "".join(f'<li><a href="{_e(a.path)}">{_e(a.title)}</a></li>' for a in site.public[:5]) +
            '</ul></section></aside>\n'
            f'<footer id="colophon" class="site-footer">Proudly powered by WordPress | {_e(site.name)}</footer>\n'
            '</div>\n</body>\n</html>\n')


# -- wirenews: JSON-LD NewsArticle ---------------------------------------------------------

def wirenews_article(site: DemoSite, article: DemoArticle, base: str, bases: dict[str, str],
                     sites: dict[str, DemoSite]) -> str:
    url = base + article.path
    ld = {
        "@context": "https://schema.org", "@type": "NewsArticle", "headline": article.title,
        "description": article.description, "inLanguage": article.language,
        "mainEntityOfPage": {"@type": "WebPage", "@id": url}, "url": url,
        "datePublished": article.published.isoformat(),
        "dateModified": (article.modified or article.published).isoformat(),
        "author": [{"@type": "Person" if a != "Wire News Staff" else "Organization", "name": a}
                   for a in article.authors],
        "publisher": {"@type": "Organization", "name": site.name,
                      "logo": {"@type": "ImageObject", "url": f"{base}/static/logo.png"}},
        "image": [f"{base}/static/{article.path.rsplit('/', 1)[-1]}.jpg"],
        "articleSection": article.section, "keywords": list(article.tags),
    }
    if article.syndicated_from:
        origin_site, origin_path = article.syndicated_from
        ld["isBasedOn"] = bases[origin_site] + origin_path
    meta = (f'<meta property="og:type" content="article">\n<meta property="og:title" content="{_e(article.title)}">\n'
            f'<meta property="og:url" content="{_e(url)}">\n<meta property="og:site_name" content="{_e(site.name)}">\n'
            f'<meta property="og:description" content="{_e(article.description)}">\n'
            f'<meta property="og:image" content="{_e(ld["image"][0])}">\n'
            f'<meta property="og:locale" content="{"es_ES" if article.language == "es" else "en_GB"}">\n'
            f'<script type="application/ld+json">\n{_jsonld(ld)}\n</script>\n')
    body = "\n".join(f"<p>{_e(p)}</p>" for p in article.paragraphs)
    promo = ("Descarga la aplicación de Wire News para recibir alertas de última hora." if article.language == "es"
             else "Download the Wire News app for breaking news alerts.")
    footer = ""
    if article.syndicated_from:
        origin = sites[article.syndicated_from[0]].name
        footer = (f'<p class="syndication-note">This story was originally published by {_e(origin)} and is '
                  f'republished by Wire News Service. &copy; 2021 Wire News Service. All rights reserved.</p>\n')
    by = ", ".join(_e(a) for a in article.authors)
    return (_head(f"{article.title} - {site.name}", url, meta, lang=article.language) +
            '<body>\n<div class="page">\n<nav class="topbar"><a href="/">Wire News</a> '
            '<a href="/section/world">World</a> <a href="/section/politics">Politics</a></nav>\n'
            '<article class="wire-story">\n'
            f'<h1 class="story-headline">{_e(article.title)}</h1>\n'
            f'<div class="story-meta"><span class="byline">By {by}</span> '
            f'<span class="dateline">{article.published:%d %B %Y %H:%M} GMT+1</span></div>\n'
            f'<figure><img src="{_e(ld["image"][0])}" alt=""><figcaption>File photo. (Wire News)</figcaption></figure>\n'
            f'<div class="story-body">\n{body}\n<p class="app-promo">{promo}</p>\n{footer}</div>\n'
            '</article>\n' + _related(site, article, "More from Wire News", "more-stories") +
            '<footer class="site-footer">&copy; 2021 Wire News Service. Terms | Privacy</footer>\n'
            '</div>\n</body>\n</html>\n')


# -- listings (home and section pages): headlines only, never articles ---------------------

def listing(site: DemoSite, base: str, path: str, heading: str, articles: list[DemoArticle],
            nav: list[tuple[str, str]]) -> str:
    links = "\n".join(
        f'<li class="story-item"><a class="headline-link" href="{_e(a.path)}">{_e(a.title)}</a> '
        f'<span class="meta">{_e(a.section)} | {a.published:%d %b %Y}</span></li>' for a in articles)
    menu = " ".join(f'<a href="{_e(href)}">{_e(label)}</a>' for href, label in nav)
    return (_head(f"{heading} | {site.name}", base + path) +
            f'<body class="listing">\n<header><a class="logo" href="/">{_e(site.name)}</a>\n<nav>{menu}</nav></header>\n'
            f'<main>\n<h1>{_e(heading)}</h1>\n<ul class="story-list">\n{links}\n</ul>\n</main>\n'
            f'<footer>&copy; 2021 {_e(site.name)}</footer>\n</body>\n</html>\n')


def simple_page(site: DemoSite, base: str, path: str, heading: str, lines: list[str]) -> str:
    paras = "".join(f"<p>{_e(line)}</p>" for line in lines)
    return (_head(f"{heading} | {site.name}", base + path) +
            f'<body>\n<header><a href="/">{_e(site.name)}</a></header>\n<main><h1>{_e(heading)}</h1>{paras}</main>\n'
            '</body>\n</html>\n')

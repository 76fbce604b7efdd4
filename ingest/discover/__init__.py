"""What to fetch: feeds, sitemaps, section pages and polling, and discovering a new site's sources."""

"""The configured sources: reading sources.toml, writing to it, adding a site, OPML in and out."""

"""The Scrapy edge: settings, a spider per configured source, the one-URL spider, the pipeline."""

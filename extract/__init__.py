"""Pure extraction: page to article, text to people, organizations and events.

Nothing here imports Scrapy or SQLAlchemy; every function takes plain values and
returns plain values, so it can be tested and benchmarked on its own.
"""

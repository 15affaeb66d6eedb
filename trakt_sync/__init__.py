"""trakt-sync: keep a Bangumi profile in step with Trakt watch history."""

__version__ = "0.1.0"
PROJECT_URL = "https://github.com/trakt-sync/trakt-sync"

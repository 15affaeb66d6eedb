"""Matching Trakt plays to Bangumi subjects and episodes; ``matcher.Matcher`` is its face."""

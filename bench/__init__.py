"""Benchmarks run by ``make bench`` / ``make soak`` (not part of ``make test``)."""

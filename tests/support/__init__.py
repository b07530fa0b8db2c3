"""Helpers the tests share: plain modules (never test modules or conftests), imported by tests
and conftests alike. The root conftest loads `fixtures`, `seed` and `redis_leaks` as plugins."""

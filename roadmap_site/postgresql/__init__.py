"""Django's PostgreSQL backend with the pool's check on lend made free for a quiet connection
(`base.py`)."""

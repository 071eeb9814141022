"""The multi-host test: two instances in their own network namespaces, one PostgreSQL, nginx."""

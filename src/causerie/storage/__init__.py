"""Storage: tables, the database handle, and one module of queries per table group."""

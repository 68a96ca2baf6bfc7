"""Feed fetching, parsing and normalisation (plain functions, no Prefect)."""

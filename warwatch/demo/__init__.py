"""The offline demo: bundled feeds about the August 2024 Kursk incursion, served from 127.0.0.1."""

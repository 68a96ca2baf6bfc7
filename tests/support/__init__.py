"""Builders, servers and fixtures the tests share; none of it ships in the product."""

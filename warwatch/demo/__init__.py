"""The offline demo and the loopback doubles it and the tests use: the demo feeds server, a Slack Web API double and
a temporary Prefect server. The demo feeds are about the August 2024 Kursk incursion, served from 127.0.0.1."""

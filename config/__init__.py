"""Settings model and default configuration files."""

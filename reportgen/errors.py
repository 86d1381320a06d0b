"""Errors that reach the user as one plain sentence."""


class InputError(Exception):
    """Bad input: the message names the file, line and column and what was expected."""


class ConfigError(Exception):
    """A methodology configuration or option that cannot be used."""

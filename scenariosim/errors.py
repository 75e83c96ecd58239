"""The project's one exception tree.

Every error a user can cause is a `ScenarioSimError` whose message says what to change.
Only the CLI turns these into exit codes; library code raises them and lets the rest raise.
"""


class ScenarioSimError(Exception):
    """An error the user can fix; the message says how."""


class ConfigError(ScenarioSimError):
    """A setting, scenario file or argument is wrong."""


class InputFileError(ScenarioSimError):
    """A file the user pointed at is missing, unreadable or malformed."""


class NeedsKeyError(ScenarioSimError):
    """A backend needs an API key that is not set."""


class ModelError(ScenarioSimError):
    """A model backend could not be built or did not answer usably."""

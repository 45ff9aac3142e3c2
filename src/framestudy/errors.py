"""The one exception type for mistakes a user can fix.

A :class:`UserError` is shown as a single line (``error: ...``) and the CLI exits with
code 2; ``--verbose`` adds the traceback. Its message names the file, row or field at
fault and says what to do about it.
"""


class UserError(Exception):
    """Bad input, configuration or environment that the user can correct."""

    exit_code = 2

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message

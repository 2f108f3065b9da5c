"""The one exception type that means "the input or the request is wrong".

Commands turn it into a one-line message and a non-zero exit; anything else that
escapes is a bug in mapbench, not in the user's input.
"""


class InputError(Exception):
    """Bad input or a request that cannot be met; the message is shown as is."""

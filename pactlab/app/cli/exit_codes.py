"""Exit codes of the `pactlab` command, documented in the README.

`pactlab.app.cli.errors` maps each class of `pactlab.errors` to one of them.
"""

AGREEMENT = 0  # the run ended in an agreement (or a command succeeded)
FAILURE = 1  # the run or command failed (an unwritable file, a server that won't start, a bug: with its traceback)
BAD_INPUT = 2  # bad input: a scenario, policy or sweep file, or an option, that does not validate
NO_AGREEMENT = 3  # the run ended without agreement (impasse or walk-away)
NOT_FOUND = 4  # no such negotiation, or nothing left to resume
TAMPERED = 5  # an audit transcript that fails verification
CONFLICT = 6  # it exists already: a negotiation id or transcript taken, a folder holding another sweep
INCOMPLETE = 7  # an audit transcript cut short by a crash: unsealed, but every record it holds verifies

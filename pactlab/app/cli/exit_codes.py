"""Exit codes of the `pactlab` command, documented in the README."""

AGREEMENT = 0  # the run ended in an agreement (or a command succeeded)
FAILURE = 1  # the run or command failed (an agent error, an unwritable file, ...)
BAD_INPUT = 2  # bad input: a scenario or option that does not validate
NO_AGREEMENT = 3  # the run ended without agreement (impasse or walk-away)
NOT_FOUND = 4  # no such negotiation, or nothing left to resume
TAMPERED = 5  # an audit transcript that fails verification

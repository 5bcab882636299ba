"""The rules a negotiation runs under: policy sets, rule kinds and the policy gate.

Empty for now: the governance work (policy sets in YAML, the gate in the workflow, the
dispute-resolution ladder and the audit trail) lands here next. Scenarios already name the
policy set they run under (`policy_set`).
"""

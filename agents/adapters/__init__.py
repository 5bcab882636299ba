"""Negotiators from other libraries seated at a pactlab table (`negmas`: any NegMAS SAO negotiator)."""

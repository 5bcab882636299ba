"""Planning against counterparts you cannot see (issue 16.6): `pactlab plan` and the robust plan of a debrief.

- `pactlab.app.planning.plan`: candidate plans (opening aspiration × concession curve), played against
  drawn counterparts on a sweep backend, ranked by worst case and expected value, with the concessions
  that buy the most agreement per unit of value given up;
- `pactlab.app.planning.engine`: one planned negotiation in a worker (the workflow, no audit trail).
"""

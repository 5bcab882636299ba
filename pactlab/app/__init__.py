"""The applications on top of the workflow: the CLI, rehearsals, the web app and exploration sweeps.

They import the workflow (and the layers below it); nothing below imports them.
"""

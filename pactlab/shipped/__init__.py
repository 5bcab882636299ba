"""The files pactlab ships: example scenarios, sweep files and league files, installed as package data.

In the source tree they live in the top-level ``scenarios/``, ``sweeps/`` and ``leagues/`` folders,
where people read them; the wheel installs them as ``pactlab.shipped.scenarios``,
``pactlab.shipped.sweeps`` and ``pactlab.shipped.leagues`` (see ``[tool.setuptools.package-dir]``
in pyproject.toml). An editable install maps only the top-level packages, so there the folders are
read from the source tree.
"""

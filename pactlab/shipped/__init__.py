"""The files pactlab ships: example scenarios and example sweep files, installed as package data.

In the source tree they live in the top-level ``scenarios/`` and ``sweeps/`` folders, where people
read them; the wheel installs them as ``pactlab.shipped.scenarios`` and ``pactlab.shipped.sweeps``
(see ``[tool.setuptools.package-dir]`` in pyproject.toml). An editable install maps only the
top-level packages, so there the folders are read from the source tree.
"""

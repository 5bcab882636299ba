"""Scenario files for the web tests: the shipped platform_material scenario under other ids, and a broken one."""

from __future__ import annotations

from pactlab.domain.catalog import shipped_scenarios

SHIPPED = shipped_scenarios()["platform_material"].read_text(encoding="utf-8")
SCRIPT = "<script>alert(1)</script>"


def variant(sid: str, title: str, *, rename: dict[str, str] | None = None) -> str:
    """The shipped platform_material scenario under another id and title (and with `rename`'s words replaced)."""
    text = SHIPPED.replace("id: platform_material", f"id: {sid}", 1)
    text = text.replace(text.splitlines()[3], f'title: "{title}"', 1)
    for old, new in (rename or {}).items():
        text = text.replace(old, new)
    return text


BROKEN = SHIPPED.replace("reservation_value: 0.55", f'reservation_value: "{SCRIPT}"', 1).replace(
    "max_rounds:", "max_round:", 1
)
"""Two mistakes: a value that is markup (a page must show it as text) and a misspelt field."""

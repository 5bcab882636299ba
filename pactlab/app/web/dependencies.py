"""What a route gets from the app it runs in: the rehearsal service, the scenario files, the live hub, the steps,
the seat tokens, the templates.

`create_app` puts them on ``app.state``; routes ask for them with `Depends` (the annotated types
below) instead of closing over them, so each router lives in its own module.
"""

from __future__ import annotations

from typing import Annotated, TypeVar

from fastapi import Depends, Request
from fastapi.templating import Jinja2Templates

from pactlab.app.rehearsal import Rehearsals
from pactlab.app.web.library import Library
from pactlab.app.web.live import Hub
from pactlab.app.web.seats import Seats
from pactlab.app.web.steps import Steps

T = TypeVar("T")


def _state(request: Request, name: str, kind: type[T]) -> T:
    """The app-wide object `create_app` put on the app's state under `name`, checked to be a `kind`."""
    value = getattr(request.app.state, name)
    assert isinstance(value, kind), f"app.state.{name} is a {type(value).__name__}, not a {kind.__name__}"
    return value


def get_service(request: Request) -> Rehearsals:
    return _state(request, "service", Rehearsals)


def get_library(request: Request) -> Library:
    return _state(request, "library", Library)


def get_hub(request: Request) -> Hub:
    return _state(request, "hub", Hub)


def get_steps(request: Request) -> Steps:
    return _state(request, "steps", Steps)


def get_seats(request: Request) -> Seats:
    return _state(request, "seats", Seats)


def get_templates(request: Request) -> Jinja2Templates:
    return _state(request, "templates", Jinja2Templates)


ServiceDep = Annotated[Rehearsals, Depends(get_service)]
LibraryDep = Annotated[Library, Depends(get_library)]
HubDep = Annotated[Hub, Depends(get_hub)]
StepsDep = Annotated[Steps, Depends(get_steps)]
SeatsDep = Annotated[Seats, Depends(get_seats)]
TemplatesDep = Annotated[Jinja2Templates, Depends(get_templates)]

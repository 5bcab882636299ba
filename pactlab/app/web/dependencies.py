"""What a route gets from the app it runs in: the rehearsal service, the scenario files, the live hub, the steps,
the templates.

`create_app` puts them on ``app.state``; routes ask for them with `Depends` (the annotated types
below) instead of closing over them, so each router lives in its own module.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.templating import Jinja2Templates

from pactlab.app.rehearsal import Rehearsals
from pactlab.app.web.library import Library
from pactlab.app.web.live import Hub
from pactlab.app.web.steps import Steps


def get_service(request: Request) -> Rehearsals:
    service = request.app.state.service
    assert isinstance(service, Rehearsals)
    return service


def get_library(request: Request) -> Library:
    library = request.app.state.library
    assert isinstance(library, Library)
    return library


def get_hub(request: Request) -> Hub:
    hub = request.app.state.hub
    assert isinstance(hub, Hub)
    return hub


def get_steps(request: Request) -> Steps:
    steps = request.app.state.steps
    assert isinstance(steps, Steps)
    return steps


def get_templates(request: Request) -> Jinja2Templates:
    templates = request.app.state.templates
    assert isinstance(templates, Jinja2Templates)
    return templates


ServiceDep = Annotated[Rehearsals, Depends(get_service)]
LibraryDep = Annotated[Library, Depends(get_library)]
HubDep = Annotated[Hub, Depends(get_hub)]
StepsDep = Annotated[Steps, Depends(get_steps)]
TemplatesDep = Annotated[Jinja2Templates, Depends(get_templates)]

"""Server-rendered pages: Jinja2 templates (autoescaped) with one base layout, in ``bot/web/templates/``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

FOLDER = Path(__file__).resolve().parent / "templates"
templates = Jinja2Templates(directory=FOLDER)


def page(request: Request, name: str, *, headers: dict[str, str] | None = None, **context: Any) -> HTMLResponse:
    return templates.TemplateResponse(request, name, context, headers=headers)

"""Assemble the FastAPI application (routers only live in their own modules)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles

from bot.db.session import make_engine, make_sessionmaker
from bot.settings import Settings, get_settings
from bot.web import health, simulator
from handlers.engine import Engine
from knowledge.loader import load

log = logging.getLogger(__name__)
STATIC = Path(__file__).resolve().parent / "static"


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        db = make_engine(settings.database_url)
        app.state.sessionmaker = make_sessionmaker(db)
        kb, lexicon = load(settings.agencies)
        app.state.engine = Engine(kb, lexicon)
        app.state.settings = settings
        try:
            yield
        finally:
            await db.dispose()

    app = FastAPI(title="dinsos-bot", version="0.1.0", lifespan=lifespan,
                  description="Layanan informasi dan pengaduan Dinas Sosial.")
    app.include_router(health.router)
    app.include_router(simulator.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/", include_in_schema=False)
    async def index() -> RedirectResponse:
        return RedirectResponse("/simulator")

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        details = [{"loc": list(e.get("loc", [])), "msg": e.get("msg", "")} for e in exc.errors()]
        return JSONResponse({"detail": details}, status_code=422)

    return app

"""Assemble the FastAPI application (routers only live in their own modules)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from bot.broadcasts.sending import Broadcaster
from bot.channels.telegram.connect import POLL_TASK
from bot.messaging import knowledge, processing
from bot.messaging.ratelimit import Gate
from bot.messaging.runtime import Runtime
from bot.messaging.worker import Worker
from bot.runtime import create_runtime
from bot.settings import PLACEHOLDER, Settings, get_settings
from bot.web import (
    admin_pages,
    audit_api,
    auth,
    broadcast_pages,
    broadcasts_api,
    canned_api,
    cases_api,
    dashboard,
    errors,
    health,
    inbound_api,
    inbox_api,
    inbox_pages,
    local_api,
    metrics,
    outbox_api,
    pages,
    simulator,
    skm_api,
    users_api,
    webhooks,
)
from bot.web.fairness import Sessions, SimulatorGuard, development_secret
from bot.web.headers import SECURITY_HEADERS, SecurityHeaders
from bot.web.limits import BodyLimit
from bot.web.observe import Observe

log = logging.getLogger(__name__)
STATIC = Path(__file__).resolve().parent / "static"


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        rt = create_runtime(settings)
        app.state.runtime = rt
        Runtime.freeze_startup_objects()
        stop = asyncio.Event()
        writer_stop = asyncio.Event()  # stopped last: everything accepted must be stored
        writer = asyncio.create_task(rt.writer.run(writer_stop), name="inbound-writer")
        with contextlib.suppress(Exception):  # answer from the newest applied knowledge from the first message
            await knowledge.refresh(rt)
        tasks = [asyncio.create_task(processing.run_processor(rt, stop), name="inbound-processor"),
                 asyncio.create_task(knowledge.keep_fresh(rt, stop), name="knowledge")]
        for channel in rt.channels.values():
            if channel.start is not None:
                tasks += await channel.start(rt.writer, stop)
        if settings.worker_enabled:
            tasks.append(asyncio.create_task(Worker(rt).run(stop), name="worker"))
            tasks.append(asyncio.create_task(Broadcaster(rt).run(stop), name="broadcaster"))
        try:
            yield
        finally:
            stop.set()
            for task in tasks:
                if task.get_name() == POLL_TASK:
                    task.cancel()  # it may be inside a 25-second long poll
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await asyncio.wait_for(task, timeout=10)
            writer_stop.set()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.wait_for(writer, timeout=10)
            await rt.close()

    docs = settings.docs_on
    app = FastAPI(title="dinsos-bot", version="0.1.0", lifespan=lifespan,
                  description="Layanan informasi dan pengaduan Dinas Sosial.",
                  docs_url="/docs" if docs else None, redoc_url="/redoc" if docs else None,
                  openapi_url="/openapi.json" if docs else None)
    app.add_middleware(BodyLimit)
    if settings.simulator_on:
        secret = settings.secret_key
        if secret == PLACEHOLDER:  # only possible outside production
            secret = development_secret(Path(settings.media_dir).parent)
        app.state.sim_sessions = sessions = Sessions(secret)
        app.state.sim_gate = Gate(concurrent=2, queue=16)
        app.add_middleware(SimulatorGuard, sessions=sessions, rate=settings.simulator_rate,
                           capacity=settings.simulator_capacity)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(Observe)  # outermost: the request id is set for everything below, 413s counted too
    errors.install(app)
    app.include_router(health.router)
    app.include_router(metrics.router)
    if settings.simulator_on:
        app.include_router(simulator.router)
    app.include_router(webhooks.router)
    app.state.sign_in_limits = auth.SignInLimits()
    app.include_router(auth.router)
    app.include_router(cases_api.router)
    app.include_router(audit_api.router)
    app.include_router(skm_api.router)
    app.include_router(local_api.router)
    app.include_router(inbox_api.router)
    app.include_router(canned_api.router)
    app.include_router(users_api.router)
    app.include_router(broadcasts_api.router)
    app.include_router(pages.router)
    app.include_router(broadcast_pages.router)
    app.include_router(inbox_pages.router)
    app.include_router(dashboard.router)
    app.include_router(admin_pages.router)
    app.include_router(outbox_api.router)
    app.include_router(inbound_api.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/", include_in_schema=False)
    async def index() -> Response:
        if settings.simulator_on:
            return RedirectResponse("/simulator")
        return JSONResponse({"service": "dinsos-bot", "health": "/healthz"})

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        # FastAPI's own shape without "input": the caller's text (possibly personal data) is not echoed back
        details = [{"loc": list(e.get("loc", [])), "msg": e.get("msg", ""), "type": e.get("type", "")}
                   for e in exc.errors()]
        return JSONResponse({"detail": details}, status_code=422)

    @app.exception_handler(Exception)
    async def internal_error(request: Request, exc: Exception) -> JSONResponse:
        """A bug: the server logs its traceback; the caller never sees it. (Sent outside the other middleware,
        so the security headers are set here.)"""
        return JSONResponse({"detail": "internal error"}, status_code=500, headers=SECURITY_HEADERS)

    return app

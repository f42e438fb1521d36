"""The dashboard (``/admin``) for supervisors (their agency) and admins (every agency, or one): charts drawn on
the server as SVG, each table below its chart, exports as CSV (one table) and XLSX (every table, a sheet each);
``GET /api/dashboard`` gives the same tables as JSON."""

from __future__ import annotations

import csv
import io
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response
from openpyxl import Workbook
from pydantic import BaseModel

from bot.dashboard import figures
from bot.db.models import utcnow
from bot.domain.spreadsheet import safe_cell
from bot.officers.accounts import Officer
from bot.web.auth import OfficerDep
from bot.web.charts import chart_for
from bot.web.deps import RuntimeDep
from bot.web.errors import documented
from bot.web.pages import render, staff

router = APIRouter()
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class TableOut(BaseModel):
    key: str
    title: str
    columns: list[str]
    rows: list[list[Any]]
    note: str


class DashboardOut(BaseModel):
    agency: str | None
    tables: list[TableOut]


def _scope(rt: RuntimeDep, who: Officer, agency: str | None) -> tuple[list[str] | None, str]:
    """The agencies shown and the time zone of the days: a supervisor's own; an admin's choice (or all)."""
    if not who.supervises:
        raise HTTPException(403, "the dashboard needs the supervisor or admin role")
    kb = rt.engine.kb
    if who.is_admin:
        if agency and agency not in kb.agencies:
            raise HTTPException(404, "no such agency")
        chosen = [agency] if agency else None
    else:
        if agency and agency != who.agency:
            raise HTTPException(404, "no such agency")
        chosen = [who.agency] if who.agency else []
    first = kb.agencies.get((chosen or [""])[0]) or next(iter(kb.agencies.values()), None)
    return chosen, first.timezone if first else "Asia/Jakarta"


async def _tables(rt: RuntimeDep, who: Officer, agency: str | None) -> list[figures.Table]:
    agencies, zone = _scope(rt, who, agency)
    return list(await rt.transact(figures.all_tables, agencies, utcnow(), rt.engine.kb, zone))


@router.get("/api/dashboard", response_model=DashboardOut, tags=["dashboard"], responses=documented(401, 403, 404))
async def dashboard_api(who: OfficerDep, rt: RuntimeDep,
                        agency: Annotated[str | None, Query(max_length=40)] = None) -> dict[str, Any]:
    """Open cases per step, SLA compliance per week, IKM per unsur, messages per day per channel, the services
    asked about most, the questions the bot could not answer."""
    tables = await _tables(rt, who, agency)
    return {"agency": agency, "tables": [vars(t) for t in tables]}


async def _page_scope(request: Request, rt: RuntimeDep) -> Officer | Response:
    return await staff(request, rt, section="admin", text="Dasbor hanya untuk supervisor dan admin.")


@router.get("/admin", response_class=HTMLResponse, include_in_schema=False)
async def dashboard_page(request: Request, rt: RuntimeDep, agency: str = "") -> Response:
    who = await _page_scope(request, rt)
    if isinstance(who, Response):
        return who
    try:
        tables = await _tables(rt, who, agency or None)
    except HTTPException:
        return render(request, rt, "message.html", status=404, who=who, section="admin",
                      title="Tidak ditemukan", text="Dinas tidak dikenal.")
    shown = [{"t": t, "chart": chart_for(t.key, t.title, t.rows, t.columns)} for t in tables]
    return render(request, rt, "dashboard.html", who=who, section="admin", tables=shown, agency=agency,
                  agencies=list(rt.engine.kb.agencies.values()) if who.is_admin else [])


@router.get("/admin/export.csv", include_in_schema=False)
async def export_csv(request: Request, rt: RuntimeDep, table: str = "tahap", agency: str = "") -> Response:
    who = await _page_scope(request, rt)
    if isinstance(who, Response):
        return who
    try:
        found = next((t for t in await _tables(rt, who, agency or None) if t.key == table), None)
    except HTTPException as error:
        return Response(str(error.detail), status_code=error.status_code)
    if found is None:
        return Response("Tabel tidak dikenal.", status_code=404, media_type="text/plain; charset=utf-8")
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(found.columns)
    writer.writerows([[safe_cell(v) for v in row] for row in found.rows])
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="dasbor-{found.key}.csv"'})


@router.get("/admin/export.xlsx", include_in_schema=False)
async def export_xlsx(request: Request, rt: RuntimeDep, agency: str = "") -> Response:
    who = await _page_scope(request, rt)
    if isinstance(who, Response):
        return who
    try:
        tables = await _tables(rt, who, agency or None)
    except HTTPException as error:
        return Response(str(error.detail), status_code=error.status_code)
    book = Workbook()
    book.remove(book.active)
    for table in tables:
        sheet = book.create_sheet(table.key[:31])
        sheet.append([table.title])
        sheet.append(table.columns)
        for row in table.rows:
            sheet.append([safe_cell(v) for v in row])
        if table.note:
            sheet.append([table.note])
    out = io.BytesIO()
    book.save(out)
    return Response(out.getvalue(), media_type=XLSX,
                    headers={"Content-Disposition": 'attachment; filename="dasbor.xlsx"'})

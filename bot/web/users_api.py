"""Officers' accounts in the JSON API (admins only; the admin page uses the same): list, create, change the role
and agency, disable or enable, reset the password. Every change revokes the account's sessions and is audited."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Path, Request
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from bot.db.models import User, utcnow
from bot.officers import accounts
from bot.officers.accounts import AccountError, Officer
from bot.web.auth import AdminDep, client_address
from bot.web.deps import RuntimeDep
from bot.web.errors import documented

router = APIRouter(prefix="/api/users", tags=["users"])
Role = Literal["officer", "supervisor", "admin"]
UserPath = Annotated[str, Path(min_length=1, max_length=60)]


class UserOut(BaseModel):
    username: str
    role: str
    agency: str | None
    active: bool
    created_at: datetime


class UserIn(BaseModel):
    username: str = Field(min_length=1, max_length=60)
    role: Role
    agency: str | None = Field(None, max_length=40)
    password: str | None = Field(None, min_length=12, max_length=200, description="none: one is made and shown once")


class ChangeIn(BaseModel):
    role: Role | None = None
    agency: str | None = Field(None, max_length=40)
    active: bool | None = None


class PasswordOut(BaseModel):
    username: str
    password: str = Field(description="shown once: give it to the officer, who should change it")


def _out(user: User) -> dict[str, Any]:
    return {"username": user.username, "role": user.role, "agency": user.agency, "active": user.active,
            "created_at": user.created_at}


@router.get("", response_model=list[UserOut], responses=documented(401, 403))
async def list_users(who: AdminDep, rt: RuntimeDep) -> list[dict[str, Any]]:
    return await rt.transact(lambda s: [_out(u) for u in accounts.users(s)])


async def create_user(rt: RuntimeDep, who: Officer, body: UserIn, address: str) -> dict[str, Any]:
    password = body.password or secrets.token_urlsafe(12)

    def add(session: Session) -> dict[str, Any]:
        user = accounts.add_user(session, username=body.username, role=body.role, agency=body.agency,
                                 password=password, agencies=list(rt.engine.kb.agencies))
        accounts.audit(session, who=who, action="user.add", object_type="user", object_id=user.username,
                       address=address, detail={"role": user.role, "agency": user.agency})
        return _out(user) | {"password": password if body.password is None else None}

    try:
        return await rt.transact(add)
    except AccountError as error:
        raise HTTPException(409 if "exists" in str(error) else 400, str(error)) from None


class CreatedOut(UserOut):
    password: str | None = Field(description="the password made for the account (shown once), if none was given")


@router.post("", status_code=201, response_model=CreatedOut, responses=documented(400, 401, 403, 409))
async def add_user(body: UserIn, request: Request, who: AdminDep, rt: RuntimeDep) -> dict[str, Any]:
    return await create_user(rt, who, body, client_address(request))


async def change_user(rt: RuntimeDep, who: Officer, username: str, body: ChangeIn, address: str) -> dict[str, Any]:
    def change(session: Session) -> dict[str, Any]:
        now = utcnow()
        if username.strip().lower() == who.username and body.active is False:
            raise AccountError("you cannot disable your own account")
        user = session.get(User, accounts.find_id(session, username))
        if body.role is not None or body.agency is not None:
            role = body.role or user.role  # type: ignore[union-attr]
            user = accounts.set_role(session, username, role=role, agency=body.agency, now=now,
                                     agencies=list(rt.engine.kb.agencies))
        if body.active is not None:
            user = accounts.set_active(session, username, body.active, now)
        assert user is not None
        accounts.audit(session, who=who, action="user.change", object_type="user", object_id=user.username,
                       address=address, detail=body.model_dump(exclude_none=True))
        return _out(user)

    try:
        return await rt.transact(change)
    except AccountError as error:
        raise HTTPException(404 if "no user" in str(error) else 400, str(error)) from None


@router.patch("/{username}", response_model=UserOut, responses=documented(400, 401, 403, 404))
async def patch_user(username: UserPath, body: ChangeIn, request: Request, who: AdminDep,
                     rt: RuntimeDep) -> dict[str, Any]:
    """Change the role and agency, or disable (``active`` false) or enable the account; its sessions end."""
    return await change_user(rt, who, username, body, client_address(request))


async def reset_password(rt: RuntimeDep, who: Officer, username: str, address: str) -> dict[str, str]:
    password = secrets.token_urlsafe(12)

    def reset(session: Session) -> dict[str, str]:
        user = accounts.set_password(session, username, password, utcnow())
        accounts.audit(session, who=who, action="user.password", object_type="user", object_id=user.username,
                       address=address)
        return {"username": user.username, "password": password}

    try:
        return await rt.transact(reset)
    except AccountError as error:
        raise HTTPException(404, str(error)) from None


@router.post("/{username}/password", response_model=PasswordOut, responses=documented(401, 403, 404))
async def post_password(username: UserPath, request: Request, who: AdminDep, rt: RuntimeDep) -> dict[str, str]:
    """A new password, made here and shown once; every session of the account ends."""
    return await reset_password(rt, who, username, client_address(request))

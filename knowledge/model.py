"""The curated knowledge, loaded into plain typed objects that the handlers read."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from knowledge import kb
from knowledge.durations import Duration

Item = str | dict[str, Any]


def item_text(item: Item) -> str:
    return item if isinstance(item, str) else str(item.get("text", ""))


def item_children(item: Item) -> list[Item]:
    return [] if isinstance(item, str) else list(item.get("items", []))


@dataclass(frozen=True)
class Document:
    file: str
    kind: str
    number: str | None = None
    date: str | None = None
    title: str | None = None


@dataclass
class Service:
    agency: str
    id: str
    name: str
    document: Document
    data: dict[str, Any]
    aliases: list[str] = field(default_factory=list)

    def items(self, key: str) -> list[Item]:
        value = self.data.get(key) or []
        return list(value) if isinstance(value, list) else [value]

    def text(self, key: str) -> str | None:
        value = self.data.get(key)
        return str(value) if value else None

    @property
    def duration(self) -> Duration | None:
        value = self.data.get("duration_value")
        return Duration(**value) if value else None

    @property
    def free(self) -> bool | None:
        value = self.data.get("free")
        return bool(value) if value is not None else None

    @property
    def sop(self) -> dict[str, Any]:
        return dict(self.data.get("sop") or {})


@dataclass
class Agency:
    slug: str
    name: str
    short_name: str
    region: str
    timezone: str
    places: list[str]
    contacts: dict[str, list[str]]
    office_hours: dict[str, Any] | None  # as the standard publishes them (told to citizens)
    general: dict[str, str]
    documents: dict[str, Document]
    services: list[Service]
    working_hours: dict[str, Any] | None = None  # the registry's, for deadlines where none are published

    def service(self, service_id: str) -> Service | None:
        return next((s for s in self.services if s.id == service_id), None)

    @property
    def main_document(self) -> Document:
        return next(d for d in self.documents.values() if d.kind == "standar")


class KnowledgeBase:
    """All agencies a deployment serves, in registry order."""

    def __init__(self, agencies: list[Agency]) -> None:
        self.agencies = {a.slug: a for a in agencies}

    def agency(self, slug: str | None) -> Agency | None:
        return self.agencies.get(slug) if slug else None

    def service(self, agency: str, service_id: str) -> Service | None:
        a = self.agencies.get(agency)
        return a.service(service_id) if a else None

    @classmethod
    def load(cls, slugs: list[str] | None = None, *, data_dir: Path = kb.DATA,
             registry: Path = kb.REGISTRY, aliases: dict[str, dict[str, list[str]]] | None = None,
             overrides: dict[str, dict[str, Any]] | None = None) -> KnowledgeBase:
        """``overrides``: an agency's knowledge applied since the code was installed (``dinsos-bot kb import
        FILE --apply``, kept in the database), used instead of its file."""
        entries = kb.registry(registry)
        known = {e["slug"] for e in entries}
        if slugs:
            unknown = set(slugs) - known
            if unknown:
                raise ValueError(f"unknown agencies: {', '.join(sorted(unknown))}")
        agencies = []
        for entry in entries:
            if slugs and entry["slug"] not in slugs:
                continue
            data = (overrides or {}).get(entry["slug"]) or kb.read_data(entry["slug"], data_dir)
            agencies.append(_agency(entry, data, aliases or {}))
        return cls(agencies)


def _agency(entry: dict[str, Any], data: dict[str, Any], aliases: dict[str, dict[str, list[str]]]) -> Agency:
    info = data["agency"]
    documents = {
        d["file"]: Document(d["file"], d.get("kind", "standar"), d.get("number"), d.get("date"), d.get("title"))
        for d in data.get("documents", [])
    }
    own_aliases = aliases.get(entry["slug"], {})
    services = [
        Service(
            agency=entry["slug"], id=s["id"], name=s["name"], document=documents[s["document"]], data=s,
            aliases=list(own_aliases.get(s["id"], [])),
        )
        for s in data.get("services", [])
    ]
    return Agency(
        slug=entry["slug"], name=info["name"], short_name=info.get("short_name", info["name"]),
        region=info.get("region") or entry.get("region", ""), timezone=info["timezone"],
        places=list(entry.get("places", [])), contacts=dict(info.get("contacts") or {}),
        office_hours=info.get("office_hours"), general=dict(info.get("general") or {}),
        documents=documents, services=services, working_hours=info.get("working_hours") or entry.get("working_hours"),
    )

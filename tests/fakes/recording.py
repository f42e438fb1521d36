"""A sender that records what it is given instead of calling a provider: the messaging path tested in process
(as zulip_bots' StubBotHandler records a bot's replies)."""

from __future__ import annotations

from bot.messaging.channel import SendResult
from bot.messaging.outbox import Job


class RecordingSender:
    def __init__(self) -> None:
        self.sent: list[Job] = []

    async def send(self, job: Job) -> SendResult:
        self.sent.append(job)
        return SendResult(provider_id=f"REC{job.id:08d}", status="sent")

    async def close(self) -> None:
        return None

    def bodies(self, to: str) -> list[str]:
        return [job.body for job in self.sent if to in (job.phone, job.external_id)]

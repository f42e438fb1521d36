"""Downloading a WhatsApp photo/document from Twilio without ever leaking credentials.

Credentials go only to this account's own Media path on the configured Twilio API; the redirect to the
media CDN is followed without them; anything else is refused before any request is made.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

import httpx

from bot.messaging.channel import FetchError, FetchFailure
from bot.settings import Settings


def allowed_media_url(settings: Settings, url: str) -> bool:
    if not settings.twilio_account_sid:
        return False
    pattern = (re.escape(settings.twilio_api_base_url) + r"/2010-04-01/Accounts/"
               + re.escape(settings.twilio_account_sid) + r"/Messages/MM[0-9a-fA-F]{32}/Media/ME[0-9a-fA-F]{32}")
    return re.fullmatch(pattern, url) is not None


def _allowed_redirect(settings: Settings, location: str) -> bool:
    target = urlsplit(location)
    api = urlsplit(settings.twilio_api_base_url)
    host = (target.hostname or "").lower()
    if target.scheme == "https" and (host == "twiliocdn.com" or host.endswith(".twiliocdn.com")):
        return True
    return (target.scheme, target.hostname, target.port) == (api.scheme, api.hostname, api.port)


def _kind_of(status: int) -> FetchFailure:
    return FetchFailure.TRANSIENT if status >= 500 or status == 429 else FetchFailure.PERMANENT


async def _read_capped(response: httpx.Response, cap: int) -> bytes:
    declared = response.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > cap:
        raise FetchError(f"too large: {declared} bytes", kind=FetchFailure.TOO_LARGE)
    data = bytearray()
    async for chunk in response.aiter_bytes():
        data += chunk
        if len(data) > cap:
            raise FetchError(f"too large: more than {cap} bytes", kind=FetchFailure.TOO_LARGE)
    return bytes(data)


class Fetcher:
    """Downloads with one HTTP client for the process: a new client per photo builds a TLS context each time
    (measured under load: 15% of the service's CPU went to ``ssl.create_default_context``)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._client: httpx.AsyncClient | None = None

    async def __call__(self, url: str) -> bytes:
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=httpx.Timeout(20.0), follow_redirects=False)
        return await fetch(self.settings, url, client=self._client)

    async def close(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None


async def fetch(settings: Settings, url: str, *, client: httpx.AsyncClient | None = None) -> bytes:
    if not allowed_media_url(settings, url):
        raise FetchError("media URL is not this account's Twilio media path", kind=FetchFailure.PERMANENT)
    own = client is None
    http = client or httpx.AsyncClient(timeout=httpx.Timeout(20.0), follow_redirects=False)
    auth = (settings.twilio_account_sid or "", settings.twilio_auth_token or "")
    try:
        async with http.stream("GET", url, auth=auth) as response:
            if response.status_code in (301, 302, 303, 307, 308):
                location = urljoin(url, response.headers.get("location", ""))
            elif response.status_code == 200:
                return await _read_capped(response, settings.media_max_bytes)
            else:
                raise FetchError(f"Twilio answered {response.status_code}", kind=_kind_of(response.status_code))
        if not _allowed_redirect(settings, location):
            raise FetchError("redirect to an unexpected host", kind=FetchFailure.PERMANENT)
        async with http.stream("GET", location) as response:  # no credentials to the CDN
            if response.status_code != 200:
                raise FetchError(f"media host answered {response.status_code}", kind=_kind_of(response.status_code))
            return await _read_capped(response, settings.media_max_bytes)
    except httpx.HTTPError as exc:
        raise FetchError(f"network: {type(exc).__name__}", kind=FetchFailure.TRANSIENT) from exc
    finally:
        if own:
            await http.aclose()

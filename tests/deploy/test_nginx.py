"""The deployment as a whole: Debian's nginx with ``deploy/nginx/dinsos-bot.conf`` and a self-signed certificate,
in front of two `dinsos-bot serve` processes (WORKER_ENABLED=false, as in production) and two `dinsos-bot worker`
processes on a fresh PostgreSQL database, the fake Twilio behind them.

What Twilio and an officer's browser notice: a webhook signed over the public https URL is answered and the
bot's reply reaches Twilio; a forged one is refused; a body over a route's limit is refused by nginx and never
reaches a web process, while a body of exactly the limit does; the live inbox delivers its events as they are
written; the client's own address reaches the app; http goes to https.

The site file is the single source: the test only swaps its placeholders (ports, certificate, upstreams, log
path) and fails if one of them is gone, so it never tests a copy.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import re
import shutil
import signal
import ssl
import subprocess
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from bot.db.models import Inbound
from bot.db.session import make_engine, make_sessionmaker
from bot.web.limits import DEFAULT_LIMIT, SIMULATOR_LIMIT, WEBHOOK_LIMIT
from tests.channels.conftest import PASSWORD, Service, eventually
from tests.conftest import TEST_DATA_KEY, need
from tests.fakes import twilio as tw
from tests.fakes.twilio import FakeTwilio
from tests.support import (
    clean_env,
    free_port,
    remember_log,
    run_cli,
    start_process,
    stop_process,
    wait_answering,
    wait_healthy,
)

pytestmark = [pytest.mark.e2e, pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)]

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "deploy" / "nginx" / "dinsos-bot.conf"
NGINX = shutil.which("nginx", path=os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin"]))
CLIENT = "127.0.0.2"  # the browser's address: loopback, but not the one nginx itself calls the app from
PHONE = "+6281350077001"
OFFICER = "petugas.tl"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@dataclass
class Site:
    public: str  # https://localhost:PORT, also the services' PUBLIC_BASE_URL
    plain: str  # the http server's origin
    web: list[Service]
    ca: ssl.SSLContext
    access_log: Path

    def client(self) -> httpx.AsyncClient:
        """A browser: through nginx over https, trusting the test's certificate, from its own address (CLIENT)."""
        transport = httpx.AsyncHTTPTransport(verify=self.ca, local_address=CLIENT)
        return httpx.AsyncClient(base_url=self.public, transport=transport, timeout=httpx.Timeout(10, read=20))

    def web_log(self) -> str:
        return "\n".join(s.log_path.read_text(errors="replace") for s in self.web)


def certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for localhost and 127.0.0.1 (its own CA, so a client can trust it alone)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                        x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, content_commitment=False,
                                         key_encipherment=False, data_encipherment=False, key_agreement=False,
                                         crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def render(site: str, swaps: dict[str, str]) -> str:
    """The site file with its placeholders swapped; each one must still be there, or this test would quietly
    run a configuration other than the one a newcomer installs."""
    for old, new in swaps.items():
        assert old in site, f"{SITE.relative_to(ROOT)} no longer has {old!r}: update the test's placeholders"
        site = site.replace(old, new)
    return site


def nginx_conf(folder: Path, site: Path) -> Path:
    """The main configuration around the site, as Debian's /etc/nginx/nginx.conf puts it inside http {} (with
    Debian's gzip on and its TLS defaults, which the site must override where it matters); every path that
    nginx writes is in ``folder``, so it runs as an ordinary user on high ports."""
    temp = {name: folder / name for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")}
    for path in temp.values():
        path.mkdir()
    # As root, nginx hands its worker processes to "nobody", who cannot enter pytest's private folders.
    user = "user root;\n" if os.geteuid() == 0 else ""
    mime = "include /etc/nginx/mime.types;" if Path("/etc/nginx/mime.types").exists() else ""
    conf = folder / "nginx.conf"
    conf.write_text(f"""{user}worker_processes 1;
events {{ worker_connections 256; }}
http {{
    {mime}
    default_type application/octet-stream;
    sendfile on;
    gzip on;
    ssl_protocols TLSv1 TLSv1.1 TLSv1.2 TLSv1.3;
    access_log {folder / "other-access.log"};
    client_body_temp_path {temp["client_body"]};
    proxy_temp_path {temp["proxy"]};
    fastcgi_temp_path {temp["fastcgi"]};
    uwsgi_temp_path {temp["uwsgi"]};
    scgi_temp_path {temp["scgi"]};
    include {site};
}}
""")
    return conf


def start_nginx(folder: Path, conf: Path, error_log: Path) -> subprocess.Popen[bytes]:
    assert NGINX is not None
    pid = folder / "nginx.pid"
    return subprocess.Popen([NGINX, "-e", str(error_log), "-p", str(folder), "-c", str(conf),
                             "-g", f"daemon off; pid {pid}; error_log {error_log} info;"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)


@pytest.fixture
def fake_twilio() -> Iterator[FakeTwilio]:
    fake = FakeTwilio()
    fake.start()
    yield fake
    fake.stop()


class PortTaken(Exception):
    pass


@pytest.fixture
async def site(request: pytest.FixtureRequest, database_url: str, fake_twilio: FakeTwilio,
               tmp_path: Path) -> AsyncIterator[Site]:
    need(NGINX is not None, "Debian's nginx (apt-get install nginx)")
    db = make_engine(database_url)
    sessions = make_sessionmaker(db)
    cert, key = certificate(tmp_path)
    ca = ssl.create_default_context(cafile=str(cert))
    procs: list[subprocess.Popen[bytes]] = []
    servers: list[subprocess.Popen[bytes]] = []  # nginx

    def launch(command: str, name: str, env: dict[str, str]) -> tuple[subprocess.Popen[bytes], Path]:
        log_path = tmp_path / f"{name}.log"
        remember_log(request, log_path)
        proc = start_process(command, env, tmp_path, log_path)
        procs.append(proc)
        return proc, log_path

    def start(attempt: int) -> Site:
        """Everything on ports picked free now; PortTaken when another process took one first."""
        https_port, http_port = free_port(), free_port()
        public = f"https://localhost:{https_port}"
        env = clean_env(
            HOST="127.0.0.1", LOG_LEVEL="INFO", DATABASE_URL=database_url, AUTO_MIGRATE="false",
            WORKER_ENABLED="false", PUBLIC_BASE_URL=public, AGENCIES="tanah-laut", MEDIA_DIR=str(tmp_path / "media"),
            TWILIO_ACCOUNT_SID=tw.ACCOUNT, TWILIO_AUTH_TOKEN=tw.TOKEN, TWILIO_WHATSAPP_FROM=tw.SENDER,
            TWILIO_API_BASE_URL=fake_twilio.base_url, WORKER_POLL_SECONDS="0.05", DATA_KEY=TEST_DATA_KEY,
        )
        web = []
        for n in (1, 2):
            port = free_port()
            proc, log_path = launch("serve", f"web{n}-{attempt}", env | {"PORT": str(port)})
            web.append(Service(f"http://127.0.0.1:{port}", env | {"PORT": str(port)}, proc, sessions, log_path,
                               tmp_path))
            try:
                wait_healthy(web[-1].base, proc, log_path)
            except RuntimeError:
                if "address already in use" in log_path.read_text(errors="replace").lower():
                    raise PortTaken from None
                raise
        for n in (1, 2):
            launch("worker", f"worker{n}-{attempt}", env | {"PORT": "9"})  # a worker listens nowhere

        folder = tmp_path / f"nginx-{attempt}"
        folder.mkdir()
        (folder / "www").mkdir()
        access_log, error_log = folder / "access.log", folder / "error.log"
        remember_log(request, error_log)
        site_path = folder / "dinsos-bot.conf"
        site_path.write_text(render(SITE.read_text(), {
            "/etc/letsencrypt/live/bot.dinsos.example.go.id/fullchain.pem": str(cert),
            "/etc/letsencrypt/live/bot.dinsos.example.go.id/privkey.pem": str(key),
            "bot.dinsos.example.go.id": "localhost",
            "listen 443 ssl http2;": f"listen 127.0.0.1:{https_port} ssl http2;",
            "listen [::]:443 ssl http2;": "",
            "listen 80;": f"listen 127.0.0.1:{http_port};",
            "listen [::]:80;": "",
            "server 127.0.0.1:8000;": "".join(f"server {s.base.removeprefix('http://')};\n    " for s in web),
            "/var/log/nginx/dinsos-bot.access.log": str(access_log),
            "/var/www/html": str(folder / "www"),
        }))
        nginx = start_nginx(folder, nginx_conf(folder, site_path), error_log)
        servers.append(nginx)
        try:
            wait_answering(public + "/healthz", nginx, error_log, verify=ca)
        except RuntimeError:
            if "address already in use" in error_log.read_text(errors="replace").lower():
                raise PortTaken from None
            raise
        return Site(public, f"http://localhost:{http_port}", web, ca, access_log)

    def stop_all() -> None:
        for server in servers:
            if server.poll() is None:
                server.send_signal(signal.SIGQUIT)  # nginx's graceful stop
                try:
                    server.wait(10)
                except subprocess.TimeoutExpired:
                    server.kill()
                    server.wait(5)
        for proc in procs:
            stop_process(proc)
        servers.clear()
        procs.clear()

    try:
        for attempt in range(3):
            try:
                started = start(attempt)
            except PortTaken:
                stop_all()
                continue
            yield started
            break
        else:
            raise RuntimeError("no free ports after 3 tries")
    finally:
        stop_all()
        await db.dispose()


def _nginx_refused(response: httpx.Response) -> bool:
    """nginx's own 413 page (the app answers its 413 as JSON)."""
    return response.status_code == 413 and "413 Request Entity Too Large" in response.text


async def test_a_signed_webhook_through_https_is_answered_a_forged_one_refused_and_the_client_is_known(
        site: Site, fake_twilio: FakeTwilio) -> None:
    web = site.web[0]
    async with site.client() as browser:
        form = tw.inbound_form(PHONE, "jam buka kantor")
        signed = tw.sign(site.public + "/webhooks/twilio/whatsapp", form)  # over the public URL, as Twilio does
        accepted = await browser.post("/webhooks/twilio/whatsapp", data=form, headers={"X-Twilio-Signature": signed})
        assert accepted.status_code == 200, accepted.text
        assert "<Response/>" in accepted.text
        assert accepted.headers["strict-transport-security"].startswith("max-age=")

        forged_form = tw.inbound_form(PHONE, "kirim ke nomor lain")
        forged = await browser.post("/webhooks/twilio/whatsapp", data=forged_form, headers={
            "X-Twilio-Signature": tw.sign(site.public + "/webhooks/twilio/whatsapp", forged_form, "not-the-token")})
        assert forged.status_code == 403
        assert forged.json() == {"detail": "invalid signature"}

        # Both web processes serve (round robin), each told the browser's own address, never one it made up.
        for _ in range(4):
            healthy = await browser.get("/healthz?via-nginx=1", headers={"X-Forwarded-For": "203.0.113.7"})
            assert healthy.status_code == 200
        static = await browser.get("/static/inbox.js")
        assert static.status_code == 200 and "javascript" in static.headers["content-type"]
        max_age = re.search(r"max-age=(\d+)", static.headers.get("cache-control", ""))
        assert max_age and int(max_age.group(1)) >= 86400, static.headers
        assert static.headers["x-content-type-options"] == "nosniff"  # the app's own headers pass through
        await browser.get("/inbox?q=081350077001")  # a search for a citizen's number

    await eventually(lambda: any(m.get("Body") for m in fake_twilio.sent_to(PHONE)), timeout=30)
    await eventually(web.settled)
    assert [row.external_id for row in await web.inbound()] == [form["MessageSid"]]  # the forged one: nothing

    for service in site.web:
        log = service.log_path.read_text(errors="replace")
        assert re.search(rf'{re.escape(CLIENT)}:\d+ - "GET /healthz\?via-nginx= HTTP/1.1" 200', log), log[-2000:]
    assert "203.0.113.7" not in site.web_log()
    access = site.access_log.read_text()
    assert "GET /inbox HTTP" in access and "081350077001" not in access  # no query strings in nginx's log
    assert "081350077001" not in site.web_log()  # nor the query's values in the app's

    async with httpx.AsyncClient(timeout=10) as plain:
        moved = await plain.get(site.plain + "/inbox?view=mine")
    assert moved.status_code == 301
    assert moved.headers["location"] == "https://localhost/inbox?view=mine"
    assert moved.headers["server"] == accepted.headers["server"] == "nginx"  # no version told


LIMITS = {"/webhooks/twilio/whatsapp": WEBHOOK_LIMIT, "/api/simulator/messages": SIMULATOR_LIMIT,
          "/api/token": DEFAULT_LIMIT}  # one route of each limit in bot/web/limits.py


async def _chunks(body: bytes, size: int = 8192) -> AsyncIterator[bytes]:
    """``body`` sent as it is made: chunked, no length announced."""
    for start in range(0, len(body), size):
        yield body[start:start + size]


async def test_a_body_over_the_apps_limit_is_refused_by_nginx_and_never_reaches_a_web_process(site: Site) -> None:
    headers = {"content-type": "application/x-www-form-urlencoded", "X-Twilio-Signature": "forged"}
    async with site.client() as browser:
        for path, limit in LIMITS.items():
            form = b"Body=" + b"a" * (limit - len(b"Body="))  # exactly the limit
            at_limit = await browser.post(f"{path}?probe-at-limit=1", content=form, headers=headers)
            over = await browser.post(f"{path}?probe-over-limit=1", content=form + b"a", headers=headers)
            chunked = await browser.post(f"{path}?probe-chunked=1", content=_chunks(form + b"a"), headers=headers)
            assert at_limit.status_code != 413, (path, at_limit.text)  # nginx let it through, the app answered
            assert _nginx_refused(over), (path, over.status_code, over.text)
            assert _nginx_refused(chunked), (path, chunked.status_code, chunked.text)

    async def at_limit_logged() -> bool:
        return all(f"POST {path}?probe-at-limit= HTTP/1.1" in site.web_log() for path in LIMITS)

    await eventually(at_limit_logged)
    assert "probe-over-limit" not in site.web_log() and "probe-chunked" not in site.web_log()
    assert await site.web[0].count(Inbound) == 0


async def _sign_in(browser: httpx.AsyncClient) -> None:
    page = await browser.get("/login")
    found = CSRF.search(page.text)
    assert found, page.text
    signed = await browser.post("/login", data={"username": OFFICER, "password": PASSWORD, "csrf": found.group(1)})
    assert signed.status_code == 303 and signed.headers["location"] == "/inbox", signed.text


async def _events(lines: AsyncIterator[str]) -> AsyncIterator[str]:
    """The names of the events of a Server-Sent Events stream, as they arrive."""
    async for line in lines:
        if line.startswith("event:"):
            yield line.split(":", 1)[1].strip()


async def test_the_live_inbox_reaches_the_officer_through_nginx_as_it_happens(site: Site) -> None:
    made = run_cli("users", "add", OFFICER, "--role", "officer", "--agency", "tanah-laut", "--password-stdin",
                   env=site.web[0].env, cwd=site.web[0].cwd, stdin=PASSWORD + "\n")
    assert made.returncode == 0, made.stderr
    seen: list[str] = []
    async with site.client() as browser:
        await _sign_in(browser)
        try:
            async with browser.stream("GET", "/inbox/events") as stream:
                assert stream.status_code == 200
                assert stream.headers["content-type"].startswith("text/event-stream")
                assert stream.headers["x-accel-buffering"] == "no"
                events = _events(stream.aiter_lines())
                seen.append(await anext(events))  # the list as the page has it ("since" empty): sent at once
                citizen = tw.inbound_form(PHONE, "saya mau bicara dengan petugas")
                signature = tw.sign(site.public + "/webhooks/twilio/whatsapp", citizen)
                handed = await browser.post("/webhooks/twilio/whatsapp", data=citizen,
                                            headers={"X-Twilio-Signature": signature})
                assert handed.status_code == 200
                seen.append(await anext(events))  # the citizen handed over to officers: the list changed
        except httpx.ReadTimeout:
            pytest.fail(f"after {seen!r}, nothing more arrived while the stream stayed open: something on the way "
                        "(nginx's proxy buffering) holds the events back")
    assert seen == ["changed", "changed"]

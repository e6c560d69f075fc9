"""Shared fixtures: real PostgreSQL and Redis, a fresh migrated database per session.

Where PostgreSQL and Redis run (or are configured), they are used; otherwise embedded ones are
started under ``.data/test``. The suite creates its own database (``jjb_test_<random>``) and
drops it at the end, uses its own arq queue name and Redis key prefix, and never touches data
it did not create.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import httpx
import pytest

from backend import db
from backend.devservices import (
    Services,
    create_database_if_missing,
    drop_database,
    ensure_services,
    free_port,
)
from backend.fakes.elicense_server import FakeElicense
from backend.fakes.idverify_server import FakeIdVerify
from backend.fakes.wechat_server import FakeWeChat
from backend.settings import Settings, load_settings

ROOT = Path(__file__).resolve().parent.parent
RUN_ID = uuid.uuid4().hex[:10]
TEST_SECRET = "test-secret-key-0123456789abcdef"
PUSH_TOKEN = "test-push-token"
PUSH_AES_KEY = "aml1amluYmFuLXRlc3QtcHVzaC1hZXMta2V5LTAxMjM"  # 43 characters, as WeChat gives it


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + quote(name)))


@pytest.fixture(scope="session")
def services() -> Iterator[Services]:
    found = ensure_services(
        environ=os.environ, data_dir=ROOT / ".data" / "test", database="postgres"
    )
    yield found
    found.stop()


@pytest.fixture(scope="session")
def fake_wechat() -> Iterator[FakeWeChat]:
    fake = FakeWeChat(appid="wx-test-appid", secret="wx-test-secret")
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture(scope="session")
def fake_elicense() -> Iterator[FakeElicense]:
    fake = FakeElicense()
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture
def elicense(fake_elicense: FakeElicense) -> Iterator[FakeElicense]:
    """The session's fake e-licence service, reset before each test that uses it."""
    fake_elicense.reset()
    yield fake_elicense
    fake_elicense.reset()


@pytest.fixture(scope="session")
def fake_idverify() -> Iterator[FakeIdVerify]:
    fake = FakeIdVerify()
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture(scope="session")
def test_env(
    services: Services,
    fake_wechat: FakeWeChat,
    fake_elicense: FakeElicense,
    fake_idverify: FakeIdVerify,
) -> Iterator[dict[str, str]]:
    """Environment for the app and workers under test (also used for subprocesses)."""
    database_url = _with_database(services.database_url, f"jjb_test_{RUN_ID}")
    create_database_if_missing(database_url)
    env = {
        "JIUJINBAN_DEV": "1",
        "DATABASE_URL": database_url,
        "REDIS_URL": services.redis_url,
        "ARQ_QUEUE": f"arq:queue:jjb-test-{RUN_ID}",
        "REDIS_PREFIX": f"jjb-test-{RUN_ID}",
        "WECHAT_API_BASE": fake_wechat.url,
        "WECHAT_APPID": "wx-test-appid",
        "WECHAT_SECRET": "wx-test-secret",
        "WECHAT_PUSH_TOKEN": PUSH_TOKEN,
        "WECHAT_PUSH_AES_KEY": PUSH_AES_KEY,
        "SECRET_KEY": TEST_SECRET,
        "LOG_LEVEL": "WARNING",
        "DB_POOL_MAX": "5",
        "JOB_TIMEOUT_SECONDS": "10",
        "OUTBOX_LEASE_SECONDS": "11",
        "OUTBOX_SWEEP_SECONDS": "1",
        "WORKER_POLL_DELAY": "0.05",
        "CATALOGUE_CACHE_SECONDS": "0",
        "CALENDAR_CACHE_SECONDS": "0",
        "ELICENSE_URL": fake_elicense.url,
        "IDENTITY_VERIFY_URL": fake_idverify.url,
        "PLATFORM_SECRETS": "xs-platform-test:test-platform-secret-0123456789abcdef",
        "STORAGE_DIR": str(ROOT / ".data" / "test" / f"uploads-{RUN_ID}"),
        # every test shares 127.0.0.1: tests of the limits build their own, lower, settings
        "ID_LOOKUP_LIMIT_PER_ADDRESS": "1000000",
        "ID_LOOKUP_LIMIT_PER_ACCOUNT": "1000000",
        "DELETION_NOTICE_SECONDS": "0",
    }
    yield env
    drop_database(database_url)
    shutil.rmtree(env["STORAGE_DIR"], ignore_errors=True)
    _delete_redis_keys(services.redis_url, f"*jjb-test-{RUN_ID}*")


def _delete_redis_keys(url: str, pattern: str) -> None:
    """Remove what this session wrote to the shared Redis, and nothing else."""
    import redis

    client = redis.Redis.from_url(url)
    try:
        for key in client.scan_iter(match=pattern, count=500):
            client.delete(key)
    finally:
        client.close()


@pytest.fixture(scope="session")
def settings(test_env: dict[str, str]) -> Settings:
    return load_settings(environ=test_env)


@pytest.fixture(scope="session")
async def database(settings: Settings) -> AsyncIterator[None]:
    await db.migrate(settings.database_url)
    engine = db.bind_engine(settings.database_url)
    await engine.start_connection_pool(min_size=1, max_size=5)
    yield
    await engine.close_connection_pool()


_TRUNCATE: str | None = None


async def truncate_all() -> None:
    global _TRUNCATE
    if _TRUNCATE is None:
        names = sorted(t._meta.tablename for t in db.all_tables())
        # No RESTART IDENTITY: ids stay unique for the whole session, as in production, so an
        # arq job left by one test can never be mistaken for another test's.
        _TRUNCATE = f"TRUNCATE {', '.join(names)} CASCADE"
    await db.engine().run_ddl(_TRUNCATE)
    forget_caches()


def forget_caches() -> None:
    """Tables were emptied behind the in-process caches' back."""
    from backend.catalogue import service as catalogue
    from backend.workdays import service as workdays

    catalogue.forget()
    workdays.forget_calendar()


@pytest.fixture(autouse=True)
def _restore_log_configuration() -> Iterator[None]:
    """A test that runs a command in-process configures logging for it; the next test must not
    inherit that (a logger bound to an earlier test's captured, now closed, stream)."""
    import logging

    import structlog

    config = structlog.get_config()
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    yield
    structlog.configure(**config)
    root.setLevel(level)
    root.handlers[:] = handlers


@pytest.fixture(autouse=True)
async def _clean_database(database: None) -> None:
    """Every test starts from empty tables (``tests/unit`` overrides this with a no-op)."""
    await truncate_all()


def _wait_http(url: str, proc: subprocess.Popen[bytes], timeout_s: float = 120.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited early with {proc.returncode}")
        try:
            if httpx.get(url, timeout=1.0).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"server at {url} did not answer within {timeout_s} s")


@pytest.fixture(scope="session")
def api_server(test_env: dict[str, str], database: None) -> Iterator[str]:
    """The real app under uvicorn in a subprocess (real HTTP, real middleware)."""
    port = free_port()
    env = {**os.environ, **test_env, "PORT": str(port)}
    log_path = ROOT / "test-artifacts" / f"api-server-{RUN_ID}.log"
    log_path.parent.mkdir(exist_ok=True)
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "backend.cli", "serve", "--workers", "1", "--port", str(port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            _wait_http(base + "/healthz", proc, 180)
            yield base
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


@pytest.fixture
async def api(api_server: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=api_server, timeout=10.0) as client:
        yield client


FIXTURES = ROOT / "tests" / "fixtures" / "catalogue"


@pytest.fixture
async def small_catalogue(database: None) -> Path:
    """The small test catalogue (2 townships, 7 items, 2 bundles, 5 service points) imported."""
    from backend.clock import today
    from backend.imports.service import import_batch, read_file

    await import_batch(read_file(FIXTURES), effective_from=today())
    return FIXTURES


@pytest.fixture
def wechat(fake_wechat: FakeWeChat) -> Iterator[FakeWeChat]:
    """The session's fake WeChat, reset before each test that uses it."""
    fake_wechat.reset()
    return fake_wechat


LONG_FIRST = (
    "tests/faults/test_faults_short.py",
    "tests/schemathesis/test_openapi_conformance.py",
    "tests/access/test_access.py",
    "tests/browser/test_crawl_every_page.py",
    "tests/notifications/test_kills.py",
    "tests/access/test_hostile_input.py",
    "tests/devservices/test_make_run.py",
)
"""The files that take a minute or more, longest first (``--durations`` of a whole run)."""


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The long files first, the short fault suite (several minutes of real processes) first of
    all: begun early they run beside the rest of the suite instead of after it, when the other
    worker would sit idle. (``make test`` passes ``--no-loadscope-reorder``: xdist would
    otherwise hand out the files with most tests first, whatever their length.)"""

    def rank(item: pytest.Item) -> int:
        path = item.nodeid.split("::", 1)[0]
        return LONG_FIRST.index(path) if path in LONG_FIRST else len(LONG_FIRST)

    items.sort(key=rank)

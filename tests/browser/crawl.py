"""A generic crawler of the staff portal, for ``test_crawl_every_page.py``.

Signed in as one member of staff, it starts at ``/portal/`` and follows, breadth first, every
same-origin link under ``/portal/`` (other same-origin addresses, such as ``/static/`` files or
signed file links, are fetched once but not crawled), and submits every form it meets *empty*:
every named control but the CSRF token is disabled before the browser's own
``HTMLFormElement.submit`` posts it, so nothing is filled and no file is sent.

Nothing in here knows a page: a desk added tomorrow is crawled as soon as a link reaches it.
Link phases and form phases alternate; each link phase is bracketed by a digest of every table,
so a page that changes data when merely opened is reported (a GET must never change state).

What counts as a failure (``Failure.kind``):

- ``5xx``            any answer ≥ 500, of a page, a form or a resource the page loaded;
- ``dead-link``      a link (or a resource) answering 404, unless listed in ``DELIBERATE_404``;
- ``refused-link``   a link shown to this person that answers 403 or sends them to sign in;
- ``placeholder``    a page whose visible text has a placeholder word (``PLACEHOLDERS``);
- ``english``        visible raw English error text (an exception name, a traceback …);
- ``refusal``        an empty form refused without a 4xx page, or whose 4xx page has no Chinese
                     message (a refusal answered 200 or by a redirect to a page showing an error
                     counts: the rule is "422 re-rendering the form");
- ``browser``        a console error (a CSP violation is one), an uncaught script error, a failed
                     request, or any request to another origin;
- ``get-changed``    a link phase changed rows of a table other than those written on every read;
- ``no-csrf``        a POST form without the hidden CSRF field.
"""

from __future__ import annotations

import re
import time
from collections import Counter, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from playwright.async_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Request,
    Response,
)
from playwright.async_api import Error as PlaywrightError

PORTAL = "/portal"
HOME = "/portal/"
CSRF_FIELD = "_csrf_token"
SKIPPED_PATHS = frozenset({"/portal/logout", "/portal/login"})
"""Never followed nor submitted: signing out (and in) is not a page of the desk."""
DELIBERATE_404: frozenset[str] = frozenset()
"""Paths a link may lead to that answer 404 on purpose (none today)."""
PLACEHOLDERS = (
    "建设中",
    "敬请期待",
    "即将上线",
    "即将推出",
    "即将开放",
    "暂未开放",
    "尚未开放",
    "功能开发中",
    "正在开发",
    "待开发",
    "待完善",
    "TODO",
    "FIXME",
    "TBD",
    "coming soon",
    "under construction",
    "not implemented",
    "lorem ipsum",
    "placeholder",
)
ENGLISH_ERROR = re.compile(
    r"Traceback|\b[A-Z][A-Za-z]*(?:Error|Exception)\b|Internal Server Error|status_code"
    r"|\bNoneType\b|\bjinja2\b|\blitestar\b|\bpiccolo\b",
)
ENGLISH_REFUSAL = re.compile(
    r"\b(?:Bad Request|Not Found|Forbidden|Method Not Allowed|Unprocessable|Validation failed"
    r"|CSRF|Unauthorized|Too Many Requests|detail)\b",
    re.IGNORECASE,
)
RAW_CODE = re.compile(r"[（(]\s*[a-z][a-z0-9_]+\s*[)）]")
"""An API code shown to staff in a message: ``送达方式只能是窗口领取（window）…``."""
CJK = re.compile(r"[\u4e00-\u9fff]")
SHAPE_LIMIT = 8
"""Pages of one shape (``/portal/window/cases/{}``) visited at most, per person …"""
SHAPE_PER_REFERRER = 3
"""… and at most this many linked from one shape of page (so the cases of each filtered list,
which are in different states and show different forms, are all represented)."""
READ_TABLES = frozenset({"audit_event", "claim"})
"""Tables a page may write when opened: the audit of what staff read, and the window clerk's
claim on a case, whose lease a look by its holder renews (``WINDOW_CLAIM_SECONDS``)."""

_LINKS_AND_FORMS = """() => ({
  links: Array.from(document.querySelectorAll('a[href]'), a => a.href),
  forms: Array.from(document.forms, f => ({
    method: (f.getAttribute('method') || 'get').toLowerCase(),
    action: f.action,
    rawAction: f.getAttribute('action'),
    csrf: !!f.querySelector('input[type=hidden][name=_csrf_token]'),
    files: f.querySelectorAll('input[type=file]').length,
    fillable: Array.from(f.elements).filter(e => e.name && e.name !== '_csrf_token' &&
      e.type !== 'hidden' && e.type !== 'submit' && e.type !== 'button').length,
  })),
  text: document.body ? document.body.innerText : '',
  errorShown: !!document.querySelector('.alert-error, .field-error'),
  alert: Array.from(document.querySelectorAll('[role=alert]'), e => e.innerText).join(' / '),
})"""

_SUBMIT_EMPTY = """([method, rawAction]) => {
  const form = Array.from(document.forms).find(f =>
    (f.getAttribute('method') || 'get').toLowerCase() === method &&
    f.getAttribute('action') === rawAction);
  if (!form) return false;
  for (const el of Array.from(form.elements)) {
    if (el.name && el.name !== '_csrf_token') el.disabled = true;
  }
  form.removeAttribute('target');
  HTMLFormElement.prototype.submit.call(form);
  return true;
}"""


@dataclass(frozen=True)
class Failure:
    kind: str
    where: str
    what: str

    def __str__(self) -> str:
        return f"[{self.kind}] {self.where}: {self.what}"


@dataclass
class FormSpot:
    key: str
    method: str
    raw_action: str
    action: str
    on_pages: list[str]
    fillable: int = 0


@dataclass
class RoleReport:
    role: str
    username: str
    pages: int = 0
    links: int = 0
    forms: int = 0
    failures: list[Failure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    statuses: Counter[str] = field(default_factory=Counter)
    capped: bool = False
    seconds: float = 0.0
    log: list[str] = field(default_factory=list)
    """Every address opened and every form submitted, with its answer."""


def shape(url: str) -> str:
    """The page's kind: path segments with a digit (a case number, an id) and query values
    with a digit (a page number, a date) become ``{}``."""
    parts = urlsplit(url)
    path = "/".join("{}" if re.search(r"\d", s) else s for s in parts.path.split("/"))
    query = sorted((k, "{}" if re.search(r"\d", v) else v) for k, v in parse_qsl(parts.query, True))
    return path + ("?" + urlencode(query) if query else "")


def _without_fragment(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(fragment=""))


Digest = Callable[[], Awaitable[dict[str, str]]]


class Crawler:
    """One person's crawl, in a browser context of its own."""

    def __init__(
        self,
        browser: Browser,
        base_url: str,
        *,
        digest: Digest,
        max_pages: int = 80,
        max_forms: int = 60,
        seconds: float = 30.0,
    ) -> None:
        self.browser = browser
        self.base = base_url.rstrip("/")
        self.origin = urlsplit(self.base)._replace(path="", query="", fragment="").geturl()
        self.digest = digest
        self.max_pages = max_pages
        self.max_forms = max_forms
        self.seconds = seconds

    async def crawl(
        self, role: str, username: str, password: str, *, seconds: float | None = None
    ) -> RoleReport:
        report = RoleReport(role, username)
        started = time.monotonic()
        context = await self.browser.new_context(
            base_url=self.base,
            viewport={"width": 1440, "height": 900},
            locale="zh-CN",
            timezone_id="Asia/Shanghai",
        )
        context.set_default_timeout(10_000)
        try:
            run = _Run(self, context, report, username, password)
            await run.go(deadline=started + (seconds or self.seconds))
        finally:
            await context.close()
        report.seconds = time.monotonic() - started
        return report


class _Run:
    def __init__(
        self,
        crawler: Crawler,
        context: BrowserContext,
        report: RoleReport,
        username: str,
        password: str,
    ) -> None:
        self.c = crawler
        self.context = context
        self.report = report
        self.username = username
        self.password = password
        self.page: Page | None = None
        self.where = "sign-in"
        self.queue: deque[tuple[str, str]] = deque()  # (url, the page that linked it)
        self.seen: set[str] = set()
        self.shapes: Counter[str] = Counter()
        self.shapes_by_referrer: Counter[tuple[str, str]] = Counter()
        self.forms: dict[str, FormSpot] = {}
        self.pending_forms: deque[str] = deque()
        self.checked_other: set[str] = set()
        self.pages: set[str] = set()

    # --- the browser's own reports --------------------------------------------------------

    def fail(self, kind: str, what: str, where: str | None = None) -> None:
        self.report.failures.append(Failure(kind, where or self.where, what))

    def _on_console(self, message: ConsoleMessage) -> None:
        # Chromium logs every answer ≥ 400 as "Failed to load resource"; those are judged
        # by status in _on_response (an empty form's 422 is expected).
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.fail("browser", f"console: {message.text}")

    def _on_request(self, request: Request) -> None:
        url = request.url
        if url.startswith(("data:", "blob:", "about:")):
            return
        if not url.startswith(self.c.origin + "/"):
            self.fail("browser", f"request to another origin: {request.method} {url}")

    def _on_request_failed(self, request: Request) -> None:
        error = request.failure or ""
        if "ERR_ABORTED" in error:  # a request cut short by the next navigation, or a download
            return
        self.fail("browser", f"request failed ({error}): {request.method} {request.url}")

    def _on_response(self, response: Response) -> None:
        request = response.request
        if request.is_navigation_request():
            return  # judged where the navigation was made
        status = response.status
        path = urlsplit(response.url).path
        if status >= 500:
            self.fail("5xx", f"HTTP {status}: {request.method} {response.url}")
        elif status == 404 and path not in DELIBERATE_404:
            self.fail("dead-link", f"resource HTTP 404: {request.method} {response.url}")
        elif status >= 400:
            self.fail("browser", f"resource HTTP {status}: {request.method} {response.url}")

    # --- the run --------------------------------------------------------------------------

    async def go(self, deadline: float) -> None:
        page = await self.context.new_page()
        self.page = page
        page.on("console", self._on_console)
        page.on("pageerror", lambda exc: self.fail("browser", f"page error: {exc}"))
        page.on("request", self._on_request)
        page.on("requestfailed", self._on_request_failed)
        page.on("response", self._on_response)
        await self._sign_in()
        self._enqueue(self.c.base + HOME, "sign-in")
        while self.queue or self.pending_forms:
            before = await self.c.digest()
            visited: list[str] = []
            while self.queue:
                if self.report.pages >= self.c.max_pages or time.monotonic() > deadline:
                    self._cap(f"{len(self.queue)} links left unvisited")
                    return
                url, referrer = self.queue.popleft()
                visited.append(urlsplit(url).path)
                await self._visit(url, referrer)
            changed = sorted(
                t
                for t, d in (await self.c.digest()).items()
                if before.get(t) != d and t not in READ_TABLES
            )
            if changed:
                self.fail(
                    "get-changed",
                    f"opening pages changed {changed}; pages: {sorted(set(visited))}",
                    "link phase",
                )
            while self.pending_forms and not self.queue:
                if self.report.forms >= self.c.max_forms or time.monotonic() > deadline:
                    self._cap(f"{len(self.pending_forms)} forms left unsubmitted")
                    return
                await self._submit(self.forms[self.pending_forms.popleft()])

    def _cap(self, what: str) -> None:
        self.report.capped = True
        self.report.notes.append(f"cap reached: {what}")

    async def _sign_in(self) -> None:
        assert self.page is not None
        page = self.page
        await page.goto(self.c.base + "/portal/login")
        await page.get_by_label("用户名", exact=True).fill(self.username)
        await page.get_by_label("密码", exact=True).fill(self.password)
        async with page.expect_navigation():
            await page.get_by_role("button", name="登录", exact=True).click()
        if urlsplit(page.url).path != HOME:
            raise AssertionError(f"{self.username} could not sign in: landed on {page.url}")

    async def _sign_in_again(self) -> None:
        """After a form ended the session; if the account no longer signs in (an empty form
        disabled it or changed its password), the crawl of this person ends here."""
        try:
            await self._sign_in()
        except (AssertionError, PlaywrightError) as error:
            self.fail("refusal", f"cannot sign in again, crawl stopped: {error}")
            self.queue.clear()
            self.pending_forms.clear()

    # --- links ----------------------------------------------------------------------------

    def _enqueue(self, url: str, referrer: str) -> None:
        url = _without_fragment(url)
        if url in self.seen:
            return
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            return
        if f"{parts.scheme}://{parts.netloc}" != self.c.origin:
            self.report.notes.append(f"link to another origin on {referrer}: {url}")
            self.seen.add(url)
            return
        if parts.path in SKIPPED_PATHS:
            return
        if parts.path != PORTAL and not parts.path.startswith(PORTAL + "/"):
            self.seen.add(url)
            self.queue.append((url, referrer))  # checked once, not crawled
            return
        kind, came_from = shape(url), shape(referrer)
        if (
            self.shapes[kind] >= SHAPE_LIMIT
            or self.shapes_by_referrer[kind, came_from] >= SHAPE_PER_REFERRER
        ):
            return
        self.shapes[kind] += 1
        self.shapes_by_referrer[kind, came_from] += 1
        self.seen.add(url)
        self.queue.append((url, referrer))

    async def _visit(self, url: str, referrer: str) -> None:
        assert self.page is not None
        path = urlsplit(url).path
        self.where = f"{_rel(url)} (linked from {_rel(referrer)})"
        self.report.links += 1
        if path != PORTAL and not path.startswith(PORTAL + "/"):
            await self._check_other(url)
            return
        try:
            response = await self.page.goto(url)
        except PlaywrightError as error:
            if "Download is starting" in str(error) or "ERR_ABORTED" in str(error):
                await self._check_other(url)  # a file to download (an export)
                return
            self.fail("browser", f"could not open: {error}")
            return
        status = response.status if response is not None else 0
        final = urlsplit(self.page.url).path
        self.report.statuses[f"GET {status}"] += 1
        self.report.log.append(f"GET {status} {_rel(url)} (from {_rel(referrer)})")
        if final == "/portal/login":
            self.fail("refused-link", "the link sends a signed-in person to the sign-in page")
            await self._sign_in_again()
            return
        if status >= 500:
            self.fail("5xx", f"HTTP {status}")
        elif status == 404 and path not in DELIBERATE_404:
            self.fail("dead-link", "HTTP 404")
        elif status == 403:
            self.fail("refused-link", "HTTP 403: a link shown to this person refuses them")
        elif status >= 400:
            self.fail("dead-link", f"HTTP {status}")
        self._seen_page(self.page.url)
        await self._read_page(self.page.url)

    def _seen_page(self, url: str) -> None:
        self.pages.add(_without_fragment(url))
        self.report.pages = len(self.pages)

    async def _check_other(self, url: str) -> None:
        """A same-origin address outside the portal (a static file, a signed file link, a
        download): it must answer, not 404 or 5xx."""
        assert self.page is not None
        answer = await self.page.request.get(url, max_redirects=5)
        self.report.statuses[f"GET {answer.status} (file)"] += 1
        self.report.log.append(f"GET {answer.status} {_rel(url)} (not crawled)")
        if answer.status >= 500:
            self.fail("5xx", f"HTTP {answer.status}")
        elif answer.status == 404 and urlsplit(url).path not in DELIBERATE_404:
            self.fail("dead-link", "HTTP 404")
        elif answer.status >= 400:
            self.fail("refused-link", f"HTTP {answer.status}")

    async def _read_page(self, url: str) -> dict[str, Any]:
        """Check what the page shows; remember its links and forms."""
        assert self.page is not None
        found: dict[str, Any] = await self.page.evaluate(_LINKS_AND_FORMS)
        text = found["text"]
        for word in PLACEHOLDERS:
            if re.search(re.escape(word), text, re.IGNORECASE):
                self.fail("placeholder", f"the page shows {word!r}")
        english = ENGLISH_ERROR.search(text)
        if english:
            self.fail("english", f"raw English error text {english.group(0)!r}")
        code = RAW_CODE.search(found["alert"])
        if code:
            self.fail(
                "english", f"a message shows the API code {code.group(0)!r}: {found['alert']}"
            )
        for link in found["links"]:
            self._enqueue(link, url)
        for form in found["forms"]:
            self._remember_form(form, url)
        return found

    # --- forms ----------------------------------------------------------------------------

    def _remember_form(self, form: dict[str, Any], page_url: str) -> None:
        action = _without_fragment(form["action"] or page_url)
        path = urlsplit(action).path
        if path in SKIPPED_PATHS:
            return
        if form["method"] == "post" and not form["csrf"]:
            self.fail("no-csrf", f"POST form to {_rel(action)} has no CSRF field", _rel(page_url))
        key = f"{form['method'].upper()} {shape(action).split('?')[0]}"
        spot = self.forms.get(key)
        if spot is None:
            raw = form["rawAction"]
            self.forms[key] = FormSpot(
                key, form["method"], raw, action, [page_url], fillable=form["fillable"]
            )
            self.pending_forms.append(key)
        elif len(spot.on_pages) < 3 and page_url not in spot.on_pages:
            spot.on_pages.append(page_url)

    async def _submit(self, spot: FormSpot) -> None:
        """Open a page that shows the form and submit it with nothing filled in."""
        assert self.page is not None
        page = self.page
        for page_url in spot.on_pages:
            self.where = _rel(page_url)
            opened = await page.goto(page_url)
            if opened is None or opened.status >= 400:
                continue
            raw_action = await page.evaluate(
                """([method, action]) => {
                  const f = Array.from(document.forms).find(f =>
                    (f.getAttribute('method') || 'get').toLowerCase() === method &&
                    f.action.split('#')[0] === action);
                  return f ? f.getAttribute('action') : null;
                }""",
                [spot.method, spot.action],
            )
            if raw_action is None:  # this page's form changed since (its case moved on)
                raw_action = await page.evaluate(
                    """([method, shape]) => {
                      const norm = u => new URL(u).pathname.split('/')
                        .map(s => /\\d/.test(s) ? '{}' : s).join('/');
                      const f = Array.from(document.forms).find(f =>
                        (f.getAttribute('method') || 'get').toLowerCase() === method &&
                        norm(f.action) === shape);
                      return f ? f.getAttribute('action') : null;
                    }""",
                    [spot.method, spot.key.split(" ", 1)[1]],
                )
            if raw_action is None:
                continue
            await self._submit_here(spot, raw_action)
            return
        self.report.notes.append(f"form {spot.key} no longer shown on {spot.on_pages}")

    async def _submit_here(self, spot: FormSpot, raw_action: str) -> None:
        assert self.page is not None
        page = self.page
        action_path = urlsplit(urljoin(page.url, raw_action)).path
        self.report.forms += 1
        method = spot.method.upper()
        form_on = self.where
        self.where = f"{spot.key} (form on {form_on})"

        def is_submission(response: Response) -> bool:
            request = response.request
            return (
                request.is_navigation_request()
                and request.method == method
                and urlsplit(response.url).path == action_path
            )

        try:
            async with (
                page.expect_navigation() as navigated,
                page.expect_response(is_submission) as answered,
            ):
                submitted = await page.evaluate(_SUBMIT_EMPTY, [spot.method, raw_action])
                if not submitted:
                    raise AssertionError("the form vanished")
            first = await answered.value
            await navigated.value
        except PlaywrightError as error:
            self.fail("browser", f"submitting the empty form failed: {error}")
            return
        status = first.status
        self.report.statuses[f"{method} {status}"] += 1
        line = f"{method} {status} {_rel(first.url)} empty, form on {form_on} → {_rel(page.url)}"
        final_path = urlsplit(page.url).path
        if status >= 500:
            self.report.log.append(line)
            self.fail("5xx", f"HTTP {status} to the empty form")
            return
        if final_path == "/portal/login":
            self.report.log.append(line)
            self.report.notes.append(f"{spot.key} signed the person out; signed in again")
            await self._sign_in_again()
            return
        if final_path.startswith(PORTAL + "/"):
            self._seen_page(page.url)
        found = await self._read_page(page.url)
        self.report.log.append(line + (f": {found['alert'][:120]}" if found["alert"] else ""))
        if 400 <= status < 500:
            text = found["text"]
            if not CJK.search(text):
                self.fail("refusal", f"HTTP {status} page has no Chinese message")
            english = ENGLISH_REFUSAL.search(text)
            if english:
                self.fail("refusal", f"HTTP {status} page shows {english.group(0)!r}")
        elif method == "POST" and spot.fillable and not found["errorShown"]:
            self.report.notes.append(
                f"accepted empty although it has {spot.fillable} fields to fill: {spot.key}"
                f" (form on {form_on}) → {_rel(page.url)}"
            )
        elif method == "POST" and found["errorShown"]:
            how = "by a redirect to" if 300 <= status < 400 else f"with HTTP {status} on"
            self.fail(
                "refusal",
                f"empty form refused {how} a page showing an error, not a 4xx page"
                f" (landed on {_rel(page.url)})",
            )


def _rel(url: str) -> str:
    parts = urlsplit(url)
    if not parts.netloc:
        return url
    return parts.path + ("?" + parts.query if parts.query else "")


def table(reports: list[RoleReport]) -> str:
    """The summary: role × pages visited × links followed × forms submitted × failures."""
    head = ("role", "account", "pages visited", "links followed", "forms submitted", "failures")
    rows = [
        (
            r.role,
            r.username,
            str(r.pages) + (" (cap)" if r.capped else ""),
            str(r.links),
            str(r.forms),
            str(len(r.failures)),
        )
        for r in reports
    ]
    rows.append(
        (
            "total",
            "",
            str(sum(r.pages for r in reports)),
            str(sum(r.links for r in reports)),
            str(sum(r.forms for r in reports)),
            str(sum(len(r.failures) for r in reports)),
        )
    )
    widths = [max(_width(row[i]) for row in [head, *rows]) for i in range(len(head))]
    lines = [_line(head, widths), "  ".join("-" * w for w in widths)]
    lines += [_line(row, widths) for row in rows]
    return "\n".join(lines)


def _width(text: str) -> int:
    return sum(2 if CJK.match(ch) else 1 for ch in text)


def _line(row: tuple[str, ...], widths: list[int]) -> str:
    return "  ".join(cell + " " * (w - _width(cell)) for cell, w in zip(row, widths, strict=True))


def log(reports: list[RoleReport]) -> str:
    return "\n".join(f"== {r.role} ({r.username})\n" + "\n".join(r.log) + "\n" for r in reports)


def details(reports: list[RoleReport]) -> str:
    """Every failure and note, by role, and the answers seen."""
    out: list[str] = []
    for r in reports:
        out.append(f"\n== {r.role} ({r.username}) — {r.seconds:.1f} s")
        out.append("answers: " + ", ".join(f"{k}×{v}" for k, v in sorted(r.statuses.items())))
        out += [f"  FAIL {f}" for f in r.failures]
        out += [f"  note {n}" for n in r.notes]
    return "\n".join(out)

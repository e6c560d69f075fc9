"""Schemathesis over every operation of the completed OpenAPI document.

For each operation, in the order of the access rules (``tests/access/rules.py``: each rule's
``prepare`` step seeds the objects it needs, on the world the rules above it left):

1. the rightful request of the access rule, as its owner (the 2xx answer is checked too);
2. schemathesis' coverage cases (positive and negative: boundary values, wrong types, missing
   fields, unexpected methods and content types; deterministic), then negative and positive
   examples drawn by Hypothesis with ``derandomize=True`` (the same examples on every run);
   about half of the examples whose path parameters are valid get the rule's real objects
   instead of random values, so 2xx and 409 are reached, not only 404;
3. if the operation's inputs allow fewer distinct examples than ``MIN_EXAMPLES`` (no
   parameters, no body), the drawn ones are sent again, with the audience's other tokens.

One thread draws, sends and checks (the test's event loop runs the seeding meanwhile): drawing
the next examples in a second thread while this one waits for the server would save time, but
CPython 3.11 can fail with "AST constructor recursion depth mismatch" when two
threads parse at once (pytest rewrites the lazily imported modules of schemathesis and
Hypothesis, both pytest plugins).

Every answer goes through the response-conformance checks and ``negative_data_rejection``;
nothing is shrunk or stopped early: every failure is recorded with a curl reproduction.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import re
import shlex
import sys
import time
from collections import Counter
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

import httpx
import requests
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import Case, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.core.parameters import ParameterLocation
from schemathesis.generation.meta import REQUEST_SHAPE_PROBES, CoveragePhaseData
from schemathesis.schemas import APIOperation, BaseSchema
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.access import sweep as access
from tests.access.rules import Rule
from tests.access.world import World
from tests.schemathesis.callers import Plan, Tokens

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
]
MIN_EXAMPLES = 50
COVERAGE_CAP = 36
"""Coverage cases per operation at most (a large body has up to ~180; most requests are cheap)."""
NEGATIVE_EXAMPLES = 10
POSITIVE_EXAMPLES = 15
"""Drawn by Hypothesis (the costly part: ~7 ms of CPU each), more when coverage gave few."""
TIMEOUT_S = 30.0

T = TypeVar("T")


@dataclass
class Found:
    """One failed check on one answer."""

    key: str
    package: str
    check: str
    title: str
    message: str
    curl: str


@dataclass
class Tally:
    key: str
    package: str
    examples: int = 0
    repeated: int = 0
    """Examples sent again because the inputs allow fewer than MIN_EXAMPLES distinct ones."""
    rightful: int | None = None
    statuses: Counter[int] = field(default_factory=Counter)


@dataclass
class Outcome:
    tallies: list[Tally] = field(default_factory=list)
    failures: list[Found] = field(default_factory=list)
    setup_errors: list[str] = field(default_factory=list)
    seconds: Counter[str] = field(default_factory=Counter)
    """Wall time by step: generating, seeding, tokens, requests, checks."""
    wall_s: float = 0.0


@dataclass
class Example:
    case: Case
    caller: str | None
    use_real: bool
    """Whether to send it on the rule's real objects (when its path parameters are valid)."""


def generate(schema: BaseSchema, op: APIOperation, plan: Plan) -> list[Example]:
    """The operation's examples (no request is sent): schemathesis' coverage cases (boundary
    values, wrong types, missing fields …: deterministic and cheap), at most ``COVERAGE_CAP``
    of them evenly spread, then Hypothesis' negative and positive ones."""
    config = schema.config.generation_for(operation=op, phase="coverage")
    modes = [GenerationMode.POSITIVE, GenerationMode.NEGATIVE]
    covered = list(schema.iter_coverage_cases(op, generation_modes=modes, generation_config=config))
    covered = covered[:: max(1, math.ceil(len(covered) / COVERAGE_CAP))]
    callers = plan.callers or (None,)
    drawn = [Example(c, callers[i % len(callers)], i % 2 == 0) for i, c in enumerate(covered)]
    _draw(op, plan, GenerationMode.NEGATIVE, NEGATIVE_EXAMPLES, drawn)
    positive = max(POSITIVE_EXAMPLES, MIN_EXAMPLES - 1 - len(drawn))
    _draw(op, plan, GenerationMode.POSITIVE, positive, drawn)
    return drawn


def _draw(
    op: APIOperation, plan: Plan, mode: GenerationMode, budget: int, drawn: list[Example]
) -> None:
    callers = st.sampled_from(plan.callers) if plan.callers else st.none()

    @settings(
        max_examples=budget,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=op.as_strategy(generation_mode=mode), caller=callers, use_real=st.booleans())
    def examples(case: Case, caller: str | None, use_real: bool) -> None:
        drawn.append(Example(case, caller, use_real))

    with contextlib.suppress(Unsatisfiable):  # no parameter of the operation can be invalid
        examples()


@dataclass
class Driver:
    schema: BaseSchema
    base_url: str
    plans: dict[str, Plan]
    rules: dict[str, Rule]
    world: World
    tokens: Tokens
    loop: asyncio.AbstractEventLoop
    outcome: Outcome = field(default_factory=Outcome)
    session: requests.Session = field(default_factory=requests.Session)

    def wait(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run ``coro`` on the test's event loop (the world's client and database live there)."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout=TIMEOUT_S * 4)

    def run(self) -> Outcome:
        """Every operation, in the rules' order (one thread: see the module's docstring)."""
        served = {f"{op.method.upper()} {op.path}": op for op in _operations(self.schema)}
        described = {op.key: op for op in access.operations(self.schema.raw_schema)}
        order = [k for k in self.rules if k in served] + sorted(set(served) - set(self.rules))
        started = time.monotonic()
        for key in order:
            with self.clock("generating"), _untraced():
                examples = generate(self.schema, served[key], self.plans[key])
            self.operation(served[key], described[key], self.rules.get(key), examples)
        self.outcome.wall_s = time.monotonic() - started
        return self.outcome

    @contextlib.contextmanager
    def clock(self, step: str) -> Iterator[None]:
        started = time.monotonic()
        try:
            yield
        finally:
            self.outcome.seconds[step] += time.monotonic() - started

    # --- one operation --------------------------------------------------------------------

    def operation(
        self,
        op: APIOperation,
        described: access.Operation,
        rule: Rule | None,
        examples: list[Example],
    ) -> None:
        plan = self.plans[described.key]
        tally = Tally(plan.key, plan.package)
        real: dict[str, str] = {}
        try:
            with self.clock("seeding"):
                self.wait(self.tokens.refresh())
                if rule is not None and rule.prepare is not None:
                    self.wait(rule.prepare(self.world))
            if rule is not None and not rule.signed and not rule.public and rule.path is not None:
                found = rule.path(self.world) if callable(rule.path) else rule.path
                real = {k: str(v) for k, v in (found or {}).items()}
            if rule is not None and not rule.signed:
                self.rightful(op, described, rule, tally)
        except Exception as failed:  # a seeding step: the run goes on without real objects
            self.outcome.setup_errors.append(f"{plan.key}: {failed!r}"[:500])
        for example in examples:
            self.send(plan, example, real, tally)
        repeatable = [e for e in examples if not _probe(e.case)] or examples
        tally.repeated = max(0, MIN_EXAMPLES - tally.examples) if repeatable else 0
        for i in range(tally.repeated):  # too few distinct inputs: the others' tokens
            again = repeatable[i % len(repeatable)]
            caller = plan.callers[i % len(plan.callers)] if plan.callers else None
            self.send(plan, Example(again.case, caller, again.use_real), real, tally)
        self.outcome.tallies.append(tally)

    def rightful(
        self, op: APIOperation, described: access.Operation, rule: Rule, tally: Tally
    ) -> None:
        """The access rule's request as its owner: a 2xx answer to check, and the objects the
        rules after it expect."""
        request = access.rightful(described, rule, self.world)
        headers = self.world.headers(rule.who)
        with self.clock("requests"):
            response = self.wait(access.send(self.world.api, request, headers))
            self.wait(response.request.aread())  # a multipart body, for the checks to read
        tally.rightful = response.status_code
        tally.examples += 1
        tally.statuses[response.status_code] += 1
        path_args = _path_args(described.path, request.url)
        case = op.Case(path_parameters=path_args, query=dict(request.params) or None)
        self.validate(case, response, tally, lambda: _curl_httpx(response.request, rule.who))
        keep = rule.extra.get("keep")
        if keep and 200 <= response.status_code < 300:
            self.world.objects[keep] = response.json()["id"]

    def send(self, plan: Plan, example: Example, real: dict[str, str], tally: Tally) -> None:
        case, caller = example.case, example.caller
        negated_path = case.meta is not None and case.meta.is_negative_at(ParameterLocation.PATH)
        if real and example.use_real and not negated_path:
            case = case.derive()  # a repeated example keeps its drawn path parameters
            case.path_parameters = {**(case.path_parameters or {}), **real}
            caller = plan.owner
        if plan.revokes_own_token:
            with self.clock("tokens"):
                headers = self.wait(self.tokens.fresh(caller))
        else:
            headers = self.world.headers(caller) if caller else {}
        tally.examples += 1
        try:
            with self.clock("requests"):
                response = case.call(
                    base_url=self.base_url,
                    session=self.session,
                    headers=headers,
                    timeout=TIMEOUT_S,
                )
        except Exception as failed:
            tally.statuses[0] += 1
            self.record(
                tally,
                "transport",
                type(failed).__name__,
                str(failed)[:300],
                lambda: _placeholder(case.as_curl_command(headers=headers), caller),
            )
            return
        tally.statuses[response.status_code] += 1

        def curl() -> str:
            sent = dict(response.request.headers)
            return _placeholder(case.as_curl_command(headers=sent, base_url=self.base_url), caller)

        self.validate(case, response, tally, curl)

    def validate(self, case: Case, response: Any, tally: Tally, curl: Callable[[], str]) -> None:
        try:
            with self.clock("checks"):
                case.validate_response(
                    response, checks=CHECKS, transport_kwargs={"base_url": self.base_url}
                )
        except FailureGroup as group:
            for failure in group.exceptions:
                self.record(tally, _check_of(failure), failure.title, failure.message, curl)

    def record(
        self, tally: Tally, check: str, title: str, message: str, curl: Callable[[], str]
    ) -> None:
        self.outcome.failures.append(
            Found(tally.key, tally.package, check, title, _essential(message), curl()[:800])
        )


# --- helpers -------------------------------------------------------------------------------


def _operations(schema: BaseSchema) -> list[APIOperation]:
    return [result.ok() for result in schema.get_all_operations()]


def _path_args(template: str, url: str) -> dict[str, str]:
    names = re.findall(r"{([^}]+)}", template)
    pattern = "^" + re.sub(r"\\{[^}]+\\}", "([^/]+)", re.escape(template)) + "$"
    match = re.match(pattern, url)
    return dict(zip(names, match.groups(), strict=True)) if match else {}


@contextlib.contextmanager
def _untraced() -> Iterator[None]:
    """This thread without coverage's trace function: under ``make test --cov`` it nearly
    doubles Hypothesis' time, and no line of the measured packages runs while drawing."""
    tracer = sys.gettrace()
    sys.settrace(None)
    try:
        yield
    finally:
        sys.settrace(tracer)


def _probe(case: Case) -> bool:
    """A coverage request-shape probe (an unexpected method or content type): not worth
    sending twice."""
    data = case.meta.phase.data if case.meta is not None else None
    return isinstance(data, CoveragePhaseData) and data.scenario in REQUEST_SHAPE_PROBES


def _essential(message: str) -> str:
    """The lines of a failure message that say what is wrong (not the schema dumped after)."""
    kept = []
    for line in (line.strip() for line in message.strip().splitlines()):
        if line.startswith(("Schema at", "Value:")):
            break
        if line:
            kept.append(line)
    return "\n".join(kept[:4])[:600]


def _check_of(failure: Failure) -> str:
    return failure.checks[0] if failure.checks else type(failure).__name__


_BEARER = re.compile(r"Bearer [A-Za-z0-9._~+/=-]+")


def _placeholder(command: str, caller: str | None) -> str:
    """The curl command with the (short-lived) token replaced by the caller's name."""
    return _BEARER.sub(f"Bearer ${(caller or 'TOKEN').upper()}_TOKEN", command)


def _curl_httpx(request: httpx.Request, caller: str | None) -> str:
    parts = ["curl", "-X", request.method, shlex.quote(str(request.url))]
    for name, value in request.headers.items():
        if name.lower() in ("authorization", "content-type", "idempotency-key"):
            parts += ["-H", shlex.quote(f"{name}: {value}")]
    body = request.content
    if body:
        shown = body.decode("utf-8", "replace") if len(body) < 400 else f"<{len(body)} bytes>"
        parts += ["-d", shlex.quote(shown)]
    return _placeholder(" ".join(parts), caller)


# --- the report ----------------------------------------------------------------------------


def _statuses(counts: Counter[int]) -> str:
    return " ".join(f"{s or 'ERR'}×{n}" for s, n in sorted(counts.items()))


def table(outcome: Outcome) -> str:
    width = max((len(t.key) for t in outcome.tallies), default=10)
    lines = [f"{'operation':<{width}}  {'examples':<16}  rightful  statuses"]
    for t in outcome.tallies:
        examples = f"{t.examples}" + (f" ({t.repeated} repeated)" if t.repeated else "")
        rightful = "-" if t.rightful is None else str(t.rightful)
        lines.append(f"{t.key:<{width}}  {examples:<16}  {rightful:<8}  {_statuses(t.statuses)}")
    total = sum(t.examples for t in outcome.tallies)
    lines.append(f"{len(outcome.tallies)} operations, {total} requests")
    steps = ", ".join(f"{k} {v:.0f} s" for k, v in outcome.seconds.most_common())
    lines.append(f"{outcome.wall_s:.0f} s: {steps}")
    return "\n".join(lines)


def grouped(outcome: Outcome) -> list[tuple[Found, int]]:
    """Distinct failures (operation, check, what is wrong), each with its first reproduction."""
    first: dict[tuple[str, str, str], Found] = {}
    counts: Counter[tuple[str, str, str]] = Counter()
    for found in outcome.failures:
        key = (found.key, found.check, found.message.split("\n")[0])
        first.setdefault(key, found)
        counts[key] += 1
    return [(first[k], counts[k]) for k in first]


def failures(outcome: Outcome) -> str:
    blocks = []
    for found, count in grouped(outcome):
        message = "\n    ".join(found.message.splitlines())
        blocks.append(
            f"{found.key}  [{found.check}] ×{count}: {found.title}\n    {message}\n    {found.curl}"
        )
    return "\n".join(blocks)


def summary(outcome: Outcome) -> str:
    groups = grouped(outcome)
    by_check: Counter[str] = Counter(f.check for f, _ in groups)
    by_package: Counter[str] = Counter(f.package for f, _ in groups)
    by_both: Counter[tuple[str, str]] = Counter((f.package, f.check) for f, _ in groups)
    lines = [
        f"{len(outcome.failures)} failed checks, {len(groups)} distinct"
        " (operation, check, what is wrong)",
        "by check: " + ", ".join(f"{k} {n}" for k, n in by_check.most_common()),
        "by package: " + ", ".join(f"{k} {n}" for k, n in by_package.most_common()),
    ]
    for (package, check), n in sorted(by_both.items()):
        lines.append(f"  {package:<12} {check:<30} {n}")
    return "\n".join(lines)

"""Load bench: the whole casting path under many concurrent clients, against gunicorn.

    python bench/load.py [--seconds 20] [--clients 60] [--workers N] [--threads T]

Starts gunicorn (gthread: one worker per CPU by default, with threads) on PostgreSQL with
Redis for the rate limits. Then, from one asyncio process on loopback, many simulated
citizens each go through the whole casting path for a bounded time:

    GET take-part  POST take-part  GET ballot  (POST ballot: add, GET ballot) x2
    POST ballot: check my choices  GET review  POST cast  GET receipt  = 11 requests a ballot

and, in turns with that, the same clients call a trivial endpoint of the same server
(GET /healthz: through Flask and its request hooks, no database) as the ceiling. Both use
the same cheap client, so their ratio compares server work, not client work. The figures
come from the steady part of each stretch, while every client is busy (`run_stretch`). Prints
throughput (requests per second over the whole casting path, and ballots per second),
p50/p99 latency of single requests and errors for both; the CPU each request cost the
gunicorn workers, PostgreSQL and the client (read from /proc, so the figures hold on a
machine busy with other work); and checks for duplicate ballots."""

import argparse
import asyncio
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.databases import fresh_database  # noqa: E402

PG = os.environ.get(
    "BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/coprod_bench"
)
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
SECRET = "bench-secret"
CSRF = re.compile(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"')
ADD = re.compile(r'name="add" value="(\d+)"')
CHOICE = re.compile(r'name="choice" value="(\d+)"')
RECEIPT = re.compile(r'<p class="receipt"><bdi dir="ltr">([^<]+)</bdi>')
TRIVIAL = "/healthz"
CASTING_STEPS = (
    "GET code page",
    "POST code",
    "GET ballot",
    "POST add",
    "POST check",
    "GET review",
    "POST cast",
    "GET receipt",
)
REQUESTS_PER_BALLOT = 11  # "GET ballot" three times, "POST add" twice
WARM_UP_SECONDS = 2.0
SETTLE_SECONDS = 0.25  # at the start of each stretch, left out of the figures


def prepare(codes_needed: int) -> tuple[str, list[str]]:
    """A fresh database with one voting round and enough unused codes."""
    fresh_database(PG)
    os.environ.update(DATABASE_URL=PG, SECRET_KEY=SECRET, REDIS_URL=REDIS)
    from coprod.extensions import db
    from coprod.factory import create_app
    from coprod.models import Phase
    from coprod.operations import codes
    from tests.factories import make_round

    app = create_app()
    with app.app_context():
        db.create_all()
        rnd = make_round(Phase.VOTING, budget=10000, costs=(2500, 1800, 3200, 900, 4500, 2000))
        made = codes.make_codes(SECRET, rnd, codes_needed)
        db.session.commit()
        slug = rnd.slug
        db.session.remove()
        db.engine.dispose()
    return slug, made


def clear_rate_limits() -> None:
    """Forget earlier runs' counters, so a rerun is not refused for the last run's traffic."""
    import redis

    redis.Redis.from_url(REDIS).flushdb()


# --- The client: one keep-alive HTTP/1.1 connection per citizen, on asyncio ----------------


class Reply:
    """A parsed response: status, headers we need, body."""

    __slots__ = ("status", "location", "cookies", "body")

    def __init__(self, status: int, location: str, cookies: list[str], body: bytes) -> None:
        self.status, self.location, self.cookies, self.body = status, location, cookies, body


class HTTPProtocol(asyncio.Protocol):
    """Just enough HTTP/1.1 for these pages: Content-Length or chunked bodies, keep-alive.

    Far cheaper per request than http.client in threads, so the client leaves the CPU to
    the server it measures.
    """

    def __init__(self) -> None:
        self.transport = None
        self.buffer = bytearray()
        self.waiter: asyncio.Future | None = None
        self.closed = False

    def connection_made(self, transport) -> None:
        self.transport = transport

    def connection_lost(self, exc) -> None:
        self.closed = True
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(ConnectionError("server closed the connection"))

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if self.waiter is None or self.waiter.done():
            return
        reply = self._parse()
        if reply is not None:
            self.waiter.set_result(reply)

    def _parse(self) -> Reply | None:
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            return None
        head = bytes(self.buffer[:end]).decode("latin-1").split("\r\n")
        status = int(head[0].split(" ", 2)[1])
        length, chunked, location, cookies = 0, False, "", []
        for line in head[1:]:
            name, _, value = line.partition(":")
            name, value = name.lower(), value.strip()
            if name == "content-length":
                length = int(value)
            elif name == "transfer-encoding" and "chunked" in value.lower():
                chunked = True
            elif name == "location":
                location = value
            elif name == "set-cookie":
                cookies.append(value)
            elif name == "connection" and value.lower() == "close":
                self.closed = True  # the next request opens a new connection
        start = end + 4
        if chunked:
            body, used = _dechunk(self.buffer, start)
            if body is None:
                return None
            del self.buffer[:used]
        else:
            if len(self.buffer) < start + length:
                return None
            body = bytes(self.buffer[start : start + length])
            del self.buffer[: start + length]
        return Reply(status, location, cookies, body)

    async def send(self, raw: bytes) -> Reply:
        self.waiter = asyncio.get_running_loop().create_future()
        self.transport.write(raw)
        return await self.waiter


def _dechunk(buffer: bytearray, pos: int) -> tuple[bytes | None, int]:
    out = bytearray()
    while True:
        eol = buffer.find(b"\r\n", pos)
        if eol < 0:
            return None, 0
        size = int(buffer[pos:eol].split(b";")[0], 16)
        if len(buffer) < eol + 2 + size + 2:
            return None, 0
        out += buffer[eol + 2 : eol + 2 + size]
        pos = eol + 2 + size + 2
        if size == 0:
            return bytes(out), pos


class Browser:
    """One citizen: a keep-alive connection, a cookie jar, and the time of each request."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.protocol: HTTPProtocol | None = None
        self.cookies: dict[str, str] = {}
        self.latencies: list[tuple[str, float, float]] = []  # step, seconds, finished at

    async def request(
        self, method: str, path: str, form: dict | None = None, step: str = ""
    ) -> Reply:
        if self.protocol is None or self.protocol.closed:
            loop = asyncio.get_running_loop()
            _, self.protocol = await loop.create_connection(HTTPProtocol, "127.0.0.1", self.port)
        lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{self.port}"]
        if self.cookies:
            lines.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        body = b""
        if form is not None:
            body = urlencode(form, doseq=True).encode()
            lines.append("Content-Type: application/x-www-form-urlencoded")
        if method == "POST":
            lines.append(f"Content-Length: {len(body)}")
        raw = ("\r\n".join(lines) + "\r\n\r\n").encode() + body
        start = time.perf_counter()
        reply = await self.protocol.send(raw)
        end = time.perf_counter()
        self.latencies.append((step or f"{method} {path}", end - start, end))
        for cookie in reply.cookies:
            key, _, rest = cookie.partition("=")
            self.cookies[key] = rest.split(";", 1)[0]
        return reply

    def drop(self) -> None:
        """After a failure: a fresh connection and no cookies, like a new browser."""
        if self.protocol is not None and self.protocol.transport is not None:
            self.protocol.transport.close()
        self.protocol, self.cookies = None, {}


class Failed(Exception):
    """A step of the flow got an answer a citizen would not expect."""


def expect(reply: Reply, status: int, location: str = "") -> Reply:
    if reply.status != status or location not in reply.location:
        raise Failed(f"{reply.status} {reply.location}")
    return reply


class Tally:
    """What one or more stretches of running a job measured."""

    def __init__(self) -> None:
        self.latencies: list[tuple[str, float, float]] = []
        self.wall = 0.0
        self.errors = 0
        self.messages: dict[str, int] = {}
        self.results: list = []
        self.cpu = {"server": 0.0, "database": 0.0, "client": 0.0}
        self.busiest = 0.0  # the busiest worker's share of the gunicorn CPU, at worst

    def add(self, other: "Tally") -> None:
        self.latencies += other.latencies
        self.wall += other.wall
        self.errors += other.errors
        for message, n in other.messages.items():
            self.messages[message] = self.messages.get(message, 0) + n
        self.results += other.results
        for group, seconds in other.cpu.items():
            self.cpu[group] += seconds
        self.busiest = max(self.busiest, other.busiest)

    @property
    def requests(self) -> int:
        return len(self.latencies)

    def per_second(self, count: int) -> float:
        return count / self.wall if self.wall else 0.0

    def percentile_ms(self, p: float, step: str | None = None) -> float:
        ordered = sorted(t for s, t, _ in self.latencies if step is None or s == step)
        return 1000 * ordered[int(p * (len(ordered) - 1))] if ordered else 0.0

    def cpu_ms_per_request(self) -> dict[str, float]:
        return {k: 1000 * v / max(self.requests, 1) for k, v in self.cpu.items()}


async def run_stretch(port: int, clients: int, seconds: float, job, server_pid: int) -> Tally:
    """Run `job` in a loop from `clients` browsers for `seconds`; what it measured.

    The figures count only what finished in the steady part of the stretch: from
    `SETTLE_SECONDS` after the start, once the first burst of new clients has settled, to
    the end. When the time is up each client still finishes the job it is in (a ballot is 11
    requests, most of a second), with fewer and fewer clients left; counting that tail would
    charge the server with the bench's own stopping, and far more for a ballot than for one
    request. Every receipt, the tail's too, goes into the duplicate check.
    """
    tally = Tally()
    start = time.perf_counter()
    settled, stop_at = start + SETTLE_SECONDS, start + seconds
    browsers = [Browser(port) for _ in range(clients)]

    async def citizen(browser: Browser) -> None:
        while time.perf_counter() < stop_at:
            try:
                tally.results.append(await job(browser))
            except (Failed, OSError, ValueError, AttributeError) as error:
                tally.errors += 1
                tally.messages[repr(error)[:80]] = tally.messages.get(repr(error)[:80], 0) + 1
                browser.drop()

    async def cpu_at(moment: float) -> dict:
        await asyncio.sleep(moment - time.perf_counter())
        return cpu_snapshot(server_pid)

    window = asyncio.gather(cpu_at(settled), cpu_at(stop_at))
    await asyncio.gather(*(citizen(b) for b in browsers))
    before, after = await window
    tally.cpu = cpu_used(before, after)
    workers = [
        t - before["server"].get(p, 0.0) for p, t in after["server"].items() if p != server_pid
    ]
    tally.busiest = max(workers) / max(sum(workers), 1e-9)
    tally.wall = stop_at - settled
    for b in browsers:
        b.drop()
        tally.latencies += [x for x in b.latencies if settled < x[2] <= stop_at]
    return tally


def casting_job(slug: str, codes: list[str]):
    """The whole casting path for one citizen with a fresh code; returns their receipt."""
    pool = iter(codes)
    base = f"/rounds/{slug}"

    async def job(b: Browser) -> str:
        code = next(pool)
        b.cookies.clear()
        step = f"{base}/take-part"  # as typed from a letter (a QR code adds one redirect)
        page = expect(await b.request("GET", step, step="GET code page"), 200).body
        token = CSRF.search(page.decode()).group(1)
        form = {"code": code, "csrf_token": token}
        reply = await b.request("POST", f"{base}/take-part", form, step="POST code")
        expect(reply, 302, "/ballot")
        page = expect(await b.request("GET", f"{base}/ballot", step="GET ballot"), 200).body
        # As a browser without JavaScript does: each button press answers with a redirect,
        # and the browser loads the page it names.
        for remedy in ADD.findall(page.decode())[:2]:
            form = {"add": remedy, "csrf_token": token}
            reply = await b.request("POST", f"{base}/ballot", form, step="POST add")
            back = expect(reply, 302, "/ballot").location.partition("#")[0]
            expect(await b.request("GET", back, step="GET ballot"), 200)
        form = {"review": "1", "csrf_token": token}
        reply = await b.request("POST", f"{base}/ballot", form, step="POST check")
        after = expect(reply, 302, "/review").location
        page = expect(await b.request("GET", after, step="GET review"), 200).body
        form = {"choice": CHOICE.findall(page.decode()), "csrf_token": token}
        expect(await b.request("POST", f"{base}/cast", form, step="POST cast"), 302, "/receipt")
        page = expect(await b.request("GET", f"{base}/receipt", step="GET receipt"), 200).body
        return RECEIPT.search(page.decode()).group(1)

    return job


async def trivial_job(b: Browser) -> None:
    expect(await b.request("GET", TRIVIAL, step="GET /healthz"), 200)


# --- Where the CPU goes: the server's, the database's and the client's own ----------------

TICK = os.sysconf("SC_CLK_TCK")


def _cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK  # utime + stime


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _database_backends() -> list[int]:
    import psycopg

    dsn = PG.replace("postgresql+psycopg://", "postgresql://").rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(dsn, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s", (PG.rsplit("/", 1)[1],)
        )
        return [pid for (pid,) in rows]


def cpu_snapshot(server_pid: int) -> dict[str, dict[int, float]]:
    """CPU seconds used so far by the gunicorn processes, our database's backends, and us.

    Redis is left out: its server is shared with other work and its share is small.
    """
    server = [server_pid, *_children(server_pid)]
    return {
        "server": {pid: _cpu_seconds(pid) for pid in server},
        "database": {pid: _cpu_seconds(pid) for pid in _database_backends()},
        "client": {0: time.process_time()},
    }


def cpu_used(before: dict, after: dict) -> dict[str, float]:
    """Seconds of CPU each group used between two snapshots (new processes from zero)."""
    return {
        group: sum(t - before[group].get(pid, 0.0) for pid, t in after[group].items())
        for group in after
    }


async def measure(args, slug: str, codes: list[str], server_pid: int):
    """Warm up; then casting and the trivial endpoint in turns, with the same clients.

    Taking turns in short stretches lets both see the same background load on a shared
    machine, so their ratio compares the server's work on each.
    """
    cast = casting_job(slug, codes)
    warm = await run_stretch(args.port, args.clients, WARM_UP_SECONDS, cast, server_pid)
    await run_stretch(args.port, args.clients, WARM_UP_SECONDS / 2, trivial_job, server_pid)
    casting, ceiling = Tally(), Tally()
    stretch = args.seconds / args.turns
    for _ in range(args.turns):
        casting.add(await run_stretch(args.port, args.clients, stretch, cast, server_pid))
        ceiling.add(await run_stretch(args.port, args.clients, stretch, trivial_job, server_pid))
    return warm, casting, ceiling


def start_server(args) -> subprocess.Popen:
    """gunicorn, by default with the gthread worker: threads wait for the database in turns.

    With --reuse-port, as the README runs it: each worker listens on a socket of its own and
    the kernel shares out the connections. Without it, the 60 connections that open at the
    start of a stretch all went to one worker now and then, which left the other idle.
    """
    command = [sys.executable, "-m", "gunicorn", "-w", str(args.workers), "-k", args.worker_class]
    command += ["--threads", str(args.threads), "-b", f"127.0.0.1:{args.port}"]
    command += ["--reuse-port", "--log-level", "warning", "app:app"]
    env = os.environ | {"DATABASE_URL": PG, "SECRET_KEY": SECRET, "REDIS_URL": REDIS}
    return subprocess.Popen(command, cwd=ROOT, env=env)


async def wait_until_up(port: int) -> None:
    for _ in range(200):
        browser = Browser(port)
        try:
            if (await browser.request("GET", TRIVIAL)).status == 200:
                return
        except OSError:
            await asyncio.sleep(0.05)
        finally:
            browser.drop()
    raise SystemExit("gunicorn did not start")


def database_counts() -> tuple[int, int, int]:
    import sqlalchemy as sa

    engine = sa.create_engine(PG)
    with engine.connect() as conn:
        ballots = conn.execute(sa.text("SELECT count(*) FROM ballot")).scalar()
        receipts = conn.execute(sa.text("SELECT count(DISTINCT receipt_hash) FROM ballot")).scalar()
        used = conn.execute(sa.text("SELECT count(*) FROM voter_code WHERE used")).scalar()
    engine.dispose()
    return ballots, receipts, used


def report(args, warm: Tally, casting: Tally, ceiling: Tally) -> None:
    """Print the figures, the CPU each side used, and the checks on the ballots."""
    print(
        f"gunicorn {args.worker_class}: {args.workers} workers x {args.threads} threads on "
        f"{os.cpu_count()} CPUs; {args.clients} clients in one asyncio process (keep-alive); "
        f"{args.seconds:g} s of each, in {args.turns} turns, after a warm-up"
    )
    print(
        f"casting path: {REQUESTS_PER_BALLOT} requests a ballot (code page, code, ballot, "
        "(add, ballot) x2, check, review, cast, receipt) with a fresh code each"
    )
    print(f"trivial endpoint: GET {TRIVIAL} (through Flask and its request hooks, no database)")
    print(f"{'':18}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}")
    for name, t in (("casting path", casting), ("trivial endpoint", ceiling)):
        print(
            f"{name:18}{t.per_second(t.requests):9.1f}{t.percentile_ms(0.5):9.1f}"
            f"{t.percentile_ms(0.99):9.1f}{t.errors:8d}"
        )
        for message, n in t.messages.items():
            print(f"    {n} x {message}")
    steps = "; ".join(
        f"{s} {casting.percentile_ms(0.5, s):.0f}/{casting.percentile_ms(0.99, s):.0f}"
        for s in CASTING_STEPS
    )
    print(f"  casting steps, p50/p99 ms: {steps}")
    rate = casting.per_second(casting.requests)
    print(
        f"ballots cast in the casting stretches: {len(casting.results)}; at "
        f"{REQUESTS_PER_BALLOT} requests each, {rate / REQUESTS_PER_BALLOT:.1f} ballots/s"
    )
    ratio = rate / max(ceiling.per_second(ceiling.requests), 1e-9)
    print(f"casting throughput / trivial throughput (requests/s): {ratio:.0%}")

    # On a machine shared with other work, throughput moves with the background load; the CPU
    # each request costs does not, and shows where the time goes.
    print(f"CPU ms per request:{'gunicorn':>10}{'postgres':>10}{'client':>9}{'total':>8}")
    totals = {}
    for name, t in (("casting path", casting), ("trivial endpoint", ceiling)):
        per = t.cpu_ms_per_request()
        totals[name] = sum(per.values())
        print(
            f"  {name:17}{per['server']:10.2f}{per['database']:10.2f}{per['client']:9.2f}"
            f"{totals[name]:8.2f}"
        )
    print(
        "CPU-bound ratio (trivial CPU / casting CPU per request): "
        f"{totals['trivial endpoint'] / max(totals['casting path'], 1e-9):.0%}"
    )
    # A worker runs Python on one core at most: one left with few connections would idle.
    print(
        f"busiest worker's share of the workers' CPU, in the worst stretch: casting "
        f"{casting.busiest:.0%}, trivial {ceiling.busiest:.0%} (even: {1 / args.workers:.0%})"
    )

    ballots, distinct_stored, used = database_counts()
    receipts = warm.results + casting.results
    print(
        f"ballots stored: {ballots} ({len(warm.results)} in the warm-up); receipts handed out: "
        f"{len(receipts)}, distinct: {len(set(receipts))}; distinct receipts stored: "
        f"{distinct_stored}; codes used: {used}"
    )
    # Each successful flow used a fresh code and got one receipt; anything stored beyond
    # that, or any receipt twice, would be a duplicate ballot.
    duplicates = ballots - len(set(receipts)) + len(receipts) - len(set(receipts))
    print(
        f"duplicate ballots (stored - receipts handed out, plus receipts seen twice): "
        f"{duplicates}; codes used = ballots stored: {'yes' if used == ballots else 'NO'}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20, help="of each, casting and trivial")
    parser.add_argument("--turns", type=int, default=10, help="the phases alternate this often")
    parser.add_argument("--clients", type=int, default=60)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--worker-class", default="gthread", help="gunicorn's -k")
    parser.add_argument("--port", type=int, default=5077)
    args = parser.parse_args()

    # Enough codes for a fast server; a run that uses them all stops with errors, not quietly.
    slug, codes = prepare(codes_needed=int(250 * (args.seconds + WARM_UP_SECONDS)) + 1000)
    clear_rate_limits()
    server = start_server(args)
    try:
        asyncio.run(wait_until_up(args.port))
        warm, casting, ceiling = asyncio.run(measure(args, slug, codes, server.pid))
    finally:
        server.terminate()
        server.wait()
    report(args, warm, casting, ceiling)


if __name__ == "__main__":
    main()

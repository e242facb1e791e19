"""Load bench: the whole casting path under 60 concurrent clients, against gunicorn.

    python bench/load.py [--seconds 20] [--clients 60]

Starts gunicorn (one worker per CPU, with threads) on PostgreSQL with Redis for the rate
limits, then drives code -> ballot -> review -> cast -> receipt from many clients on
loopback for a bounded time, and then a trivial endpoint on the same server as the ceiling.
Prints throughput, p50/p99 latency and errors for both, and checks for duplicate ballots.
"""

import argparse
import http.client
import os
import re
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PG = os.environ.get(
    "BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/coprod_bench"
)
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
SECRET = "bench-secret"
CSRF = re.compile(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"')
ADD = re.compile(r'name="add" value="(\d+)"')


def prepare(codes_needed: int) -> tuple[str, list[str]]:
    """A fresh database with one voting round and enough unused codes."""
    import sqlalchemy as sa

    admin = sa.create_engine(PG.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT")
    name = PG.rsplit("/", 1)[1]
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
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
        return rnd.slug, made


class Client:
    """One browser: a keep-alive connection and a cookie jar."""

    def __init__(self, port: int) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, str, float]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        start = time.perf_counter()
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        text = response.read().decode()
        elapsed = time.perf_counter() - start
        for header in response.headers.get_all("Set-Cookie") or []:
            key, _, rest = header.partition("=")
            self.cookies[key] = rest.split(";", 1)[0]
        return response.status, text, elapsed


def run(port: int, clients: int, seconds: float, job) -> dict:
    latencies: list[float] = []
    errors = [0]
    done = [0]
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds

    def worker(i: int) -> None:
        client = Client(port)
        while time.perf_counter() < stop_at:
            try:
                times, ok = job(client, i)
            except Exception:  # noqa: BLE001 - any failure is an error for the bench
                ok, times = False, []
                client = Client(port)
            with lock:
                latencies.extend(times)
                done[0] += ok
                errors[0] += not ok

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - start
    latencies.sort()
    return {
        "requests_per_s": len(latencies) / wall,
        "jobs_per_s": done[0] / wall,
        "jobs": done[0],
        "p50_ms": 1000 * statistics.median(latencies) if latencies else 0,
        "p99_ms": 1000 * latencies[int(0.99 * (len(latencies) - 1))] if latencies else 0,
        "errors": errors[0],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--clients", type=int, default=60)
    parser.add_argument("--port", type=int, default=5077)
    args = parser.parse_args()

    slug, codes = prepare(codes_needed=20000)
    pool = iter(codes)
    pool_lock = threading.Lock()
    workers = os.cpu_count() or 1
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-w",
            str(workers),
            "--threads",
            "8",
            "-b",
            f"127.0.0.1:{args.port}",
            "--log-level",
            "warning",
            "app:app",
        ],
        cwd=ROOT,
        env=os.environ | {"DATABASE_URL": PG, "SECRET_KEY": SECRET, "REDIS_URL": REDIS},
    )
    try:
        for _ in range(100):
            try:
                Client(args.port).request("GET", "/healthz")
                break
            except OSError:
                time.sleep(0.1)

        def cast(client: Client, _i: int) -> tuple[list[float], bool]:
            with pool_lock:
                code = next(pool)
            client.cookies.clear()
            times = []
            status, page, t = client.request("GET", f"/rounds/{slug}/take-part?code={code}")
            times.append(t)
            token = CSRF.search(page).group(1)
            status, _, t = client.request(
                "POST", f"/rounds/{slug}/take-part", {"code": code, "csrf_token": token}
            )
            times.append(t)
            status, page, t = client.request("GET", f"/rounds/{slug}/ballot")
            times.append(t)
            for remedy in ADD.findall(page)[:2]:
                status, _, t = client.request(
                    "POST", f"/rounds/{slug}/ballot", {"add": remedy, "csrf_token": token}
                )
                times.append(t)
            status, page, t = client.request("GET", f"/rounds/{slug}/review")
            times.append(t)
            choices = re.findall(r'name="choice" value="(\d+)"', page)
            status, _, t = client.request(
                "POST", f"/rounds/{slug}/cast", {"choice": choices, "csrf_token": token}
            )
            times.append(t)
            status, page, t = client.request("GET", f"/rounds/{slug}/receipt")
            times.append(t)
            return times, status == 200 and "<bdi" in page

        def trivial(client: Client, _i: int) -> tuple[list[float], bool]:
            status, _, t = client.request("GET", "/healthz")
            return [t], status == 200

        casting = run(args.port, args.clients, args.seconds, cast)
        ceiling = run(args.port, args.clients, args.seconds, trivial)
    finally:
        server.terminate()
        server.wait()

    import sqlalchemy as sa

    with sa.create_engine(PG).connect() as conn:
        ballots = conn.execute(sa.text("SELECT count(*) FROM ballot")).scalar()
        used = conn.execute(sa.text("SELECT count(*) FROM voter_code WHERE used")).scalar()
    print(
        f"gunicorn: {workers} workers x 8 threads; {args.clients} clients; "
        f"{args.seconds:.0f} s each"
    )
    print(f"{'':18}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'errors':>8}")
    for name, r in (("casting path", casting), ("trivial endpoint", ceiling)):
        print(
            f"{name:18}{r['requests_per_s']:10.1f}{r['p50_ms']:10.1f}{r['p99_ms']:10.1f}"
            f"{r['errors']:8d}"
        )
    print(f"ballots cast: {casting['jobs']} ({casting['jobs_per_s']:.1f}/s, 8 requests each)")
    print(
        f"casting throughput / trivial: {casting['requests_per_s'] / ceiling['requests_per_s']:.0%}"
    )
    print(
        f"ballots in the database: {ballots}; codes used: {used}; "
        f"duplicates: {ballots - casting['jobs'] if ballots >= casting['jobs'] else 'n/a'}"
    )


if __name__ == "__main__":
    main()

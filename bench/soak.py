"""Soak: one gunicorn serving every page, in every language, to every kind of visitor.

    python bench/soak.py [--requests 20000] [--database-url URL] [--clients 8]

Short tests each build a fresh app; they cannot show that a server stays up. This does:

1. A fresh database: a new SQLite file (default), or a schema of its own (`soak`, dropped
   and made again) in the PostgreSQL database that `--database-url` (or SOAK_DATABASE_URL)
   names, so the tables of the tests beside it are left alone. Then
   `flask db upgrade`, `flask demo` (its printed logins and voter codes are what a newcomer
   reads, and what this uses) and `flask codes` for enough codes.
2. gunicorn with threads (gthread, 2 workers x 4 threads by default), run as
   `python -X faulthandler -m gunicorn`, so a crash prints its stack in the server's log.
3. Client threads take turns at visits: (visitor, language) pairs over and over, until
   `--requests` requests have been sent. The visitors are an anonymous voter (who also
   enters a demo voter code and walks the ballot to its receipt) and one signed-in account
   for each role the demo prints (group member and each staff role). A visit picks the
   language as a person does, by following the home page's language link (the link with
   its `hreflang`), then walks pages: those found in links from the home page onwards
   (same origin, not /static), the least visited first, so every page is seen before any
   is seen again. On the way it fills and submits forms (GET or POST with their CSRF
   token), except the few that would change the site's shape for the rest of the run
   (`SKIP_FORMS`). It reads only links and forms, never the pages' words.
4. Measured: responses by status (any 5xx fails), gunicorn's worker processes (a worker
   that disappears is a death; the log is searched for "Segmentation fault", "Fatal Python
   error", "WORKER TIMEOUT"), and each worker's memory (VmRSS) with no request in flight,
   once after the warm-up (the first 20% of requests) and once at the end: growing by
   more than `--memory-tolerance` (10%) fails.

Only 127.0.0.1 is ever contacted. The run is bounded in requests (`--requests`) and time
(`--max-seconds`), and the server's whole process group is stopped however the run ends.
Exits with status 1 when any check fails.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode, urljoin, urlsplit

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
SECRET = "soak-secret"
SIGN_IN = "/sign-in"
MAX_VARIANTS = 3  # addresses with different query strings walked, per path

# Forms a visit leaves alone, by their action's path: leaving (sign-out), moving a round on
# or turning remedies down (the rest of the run would see a different site), mail and
# password flows, new accounts, uploads. The voter's code and ballot forms are submitted
# only by the voter's own walk (`Visit.vote`): typed at random they would be wrong codes,
# which the site rightly slows down.
SKIP_FORMS = re.compile(
    r"sign-out|/language/|/phase$|/reject$|/ask-for-changes$|/report$|password|forgot"
    r"|sign-up|/import|/take-part$|/ballot$|/cast$"
    # Setting rounds up: making, copying and deleting rounds, or opening voting again.
    r"|/new/check$|/delete$|/reopen$"
)
LINK = re.compile(r"<a\s[^>]*>", re.I)
HREF = re.compile(r'\bhref\s*=\s*"([^"]*)"', re.I)
FORM_TAG = re.compile(r"<form\b[^>]*>", re.I)
ACTION = re.compile(r'\baction\s*=\s*"([^"]*)"', re.I)
HTML_LANG = re.compile(r"<html[^>]*\blang=\"([^\"]*)\"", re.I)
DEATH_SIGNS = ("Segmentation fault", "Fatal Python error", "WORKER TIMEOUT", "was sent SIG")


# --- Preparing the site ---------------------------------------------------------------------


@dataclass
class Site:
    """What the demo gave: accounts by role, the voting round and unused voter codes."""

    logins: dict[str, tuple[str, str]]  # role -> (email, password)
    voting_slug: str
    codes: list[str]
    languages: list[str]


def languages() -> list[str]:
    """English plus every catalogue in translations/, as the site itself finds them."""
    found = sorted(
        p.name for p in (ROOT / "translations").iterdir() if (p / "LC_MESSAGES").is_dir()
    )
    return ["en", *[code for code in found if code != "en"]]


def reset_postgres_schema(url: str, schema: str = "soak") -> str:
    """Drop the schema with everything in it and make it again; a URL that works in it."""
    import sqlalchemy as sa

    if not re.fullmatch(r"[a-z_][a-z0-9_]*", schema):
        raise SystemExit(f"--schema: a plain lower-case name, not {schema!r}")
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    engine.dispose()
    # libpq's `options` puts the schema first on the search path of every connection.
    return f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}"


def flask(python: str, env: dict, *args: str) -> str:
    """Run `flask --app app ARGS` with the server's interpreter; its printed output."""
    done = subprocess.run(
        [python, "-X", "faulthandler", "-m", "flask", "--app", "app", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if done.returncode != 0:
        raise SystemExit(f"flask {' '.join(args)} failed:\n{done.stdout}\n{done.stderr[-4000:]}")
    return done.stdout


def parse_demo(output: str) -> tuple[dict[str, tuple[str, str]], str, list[str]]:
    """The logins (role, email, password) and voter codes `flask demo` prints."""
    logins: dict[str, tuple[str, str]] = {}
    slug, codes, in_codes = "", [], False
    for line in output.splitlines():
        if m := re.fullmatch(r"\s+([a-z_]+)\s+(\S+@\S+)\s+(\S+)\s*", line):
            logins.setdefault(m.group(1), (m.group(2), m.group(3)))
            in_codes = False
        elif m := re.search(r"\(([\w-]+)\):\s*$", line):
            slug, in_codes = m.group(1), True
        elif in_codes and (m := re.fullmatch(r"\s+(\S+)\s*", line)):
            codes.append(m.group(1))
        else:
            in_codes = False
    return logins, slug, codes


def prepare(python: str, env: dict, codes_wanted: int) -> Site:
    """Migrate, load the demo, make codes; what the visits need."""
    flask(python, env, "db", "upgrade")
    logins, slug, codes = parse_demo(flask(python, env, "demo"))
    if not logins or not slug:
        raise SystemExit("`flask demo` printed no logins or no voting round: cannot soak")
    if codes_wanted > len(codes):
        codes += flask(python, env, "codes", slug, "-n", str(codes_wanted - len(codes))).split()
    return Site(logins, slug, codes, languages())


# --- The server -------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    """User and system CPU a process has used so far."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_kib(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def _end_with_parent() -> None:
    """In the child: have Linux send SIGTERM when the soak ends, even killed, so no server is
    left behind (gunicorn then stops its workers)."""
    import ctypes

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class Server:
    """gunicorn in a process group of its own, its log in a file."""

    def __init__(self, args, env: dict, log: Path) -> None:
        self.port = args.port or free_port()
        self.workers = args.workers
        self.log = log
        command = [args.server_python, "-X", "faulthandler", "-m", "gunicorn"]
        command += ["-k", "gthread", "-w", str(args.workers), "--threads", str(args.threads)]
        command += ["-b", f"{HOST}:{self.port}", "--timeout", "30", "--graceful-timeout", "5"]
        command += ["--log-level", "info", "app:app"]
        self.command = command
        self._log_file = open(log, "wb")  # noqa: SIM115 (closed in stop)
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stop() ends workers too
            preexec_fn=_end_with_parent,
        )

    def worker_pids(self) -> set[int]:
        done = subprocess.run(
            ["ps", "--ppid", str(self.process.pid), "-o", "pid="],
            capture_output=True,
            text=True,
        )
        return {int(p) for p in done.stdout.split()}

    def wait_until_up(self, seconds: float = 60) -> set[int]:
        """Wait for the port to answer and every worker to be there; their pids."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn exited at start:\n{self.log_tail()}")
            pids = self.worker_pids()
            if len(pids) == self.workers:
                with contextlib.suppress(OSError, http.client.HTTPException):
                    conn = http.client.HTTPConnection(HOST, self.port, timeout=30)
                    conn.request("GET", "/")
                    conn.getresponse().read()
                    conn.close()
                    return pids
            time.sleep(0.2)
        raise SystemExit(f"gunicorn did not start in {seconds:.0f} s:\n{self.log_tail()}")

    def log_text(self) -> str:
        self._log_file.flush()
        return self.log.read_text(encoding="utf-8", errors="replace")

    def log_tail(self, lines: int = 60) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])

    def stop(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=15)
        # Workers that outlived their master (they should not) go too.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self._log_file.close()


# --- Counting requests, and the pause for measuring memory ----------------------------------


class Stop(Exception):
    """The run is over: request budget spent, time up, or the server gone."""


class VisitOver(Exception):
    """The server gave no answer: this visit ends, the next one starts afresh."""


class Budget:
    """Hands out requests up to the total. When the warm-up share is spent, it holds new
    requests until none is in flight, lets `on_warm` measure, and lets them go on."""

    def __init__(self, total: int, warm_at: int, deadline: float, on_warm) -> None:
        self.total, self.warm_at, self.deadline, self.on_warm = total, warm_at, deadline, on_warm
        self.used = self.in_flight = 0
        self.stopped = ""
        self.paused = False
        self.cond = threading.Condition()

    def take(self) -> None:
        with self.cond:
            self.cond.wait_for(lambda: not self.paused)
            if self.stopped:
                raise Stop(self.stopped)
            if self.used >= self.total:
                raise Stop("request budget spent")
            if time.monotonic() > self.deadline:
                self.stop("time limit reached")
                raise Stop(self.stopped)
            if self.used == self.warm_at and self.on_warm is not None:
                measure, self.on_warm, self.paused = self.on_warm, None, True
                self.cond.wait_for(lambda: self.in_flight == 0, timeout=60)
                measure()
                self.paused = False
                self.cond.notify_all()
            self.used += 1
            self.in_flight += 1
            if self.used % max(self.total // 10, 1) == 0:
                print(f"  {self.used} requests sent", file=sys.stderr, flush=True)

    def done(self) -> None:
        with self.cond:
            self.in_flight -= 1
            self.cond.notify_all()

    def stop(self, why: str) -> None:
        with self.cond:
            self.stopped = self.stopped or why
            self.cond.notify_all()


@dataclass
class Stats:
    statuses: Counter = field(default_factory=Counter)
    server_errors: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # some 4xx other than 403/404/429
    dropped: int = 0
    failures: list[str] = field(default_factory=list)  # a visit that could not do its part
    ballots_cast: int = 0
    forms: Counter = field(default_factory=Counter)  # forms submitted, by status
    wrong_language: Counter = field(default_factory=Counter)
    seen: dict[str, dict[str, int]] = field(default_factory=dict)  # persona -> url -> visits
    seen_in: set[tuple[str, str, str]] = field(default_factory=set)  # persona, lang, url
    variants: dict[str, Counter] = field(default_factory=dict)  # persona -> path -> addresses
    wrong_examples: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def fail(self, message: str) -> None:
        with self.lock:
            if message not in self.failures:
                self.failures.append(message)


# --- The client -------------------------------------------------------------------------------


@dataclass
class Reply:
    status: int
    url: str  # path and query, after redirects
    content_type: str
    text: str
    method: str = "GET"


class Browser:
    """One person's browser: a keep-alive connection, cookies, one language."""

    def __init__(self, port: int, budget: Budget, stats: Stats, lang: str, who: str) -> None:
        self.port, self.budget, self.stats, self.lang, self.who = port, budget, stats, lang, who
        self.conn: http.client.HTTPConnection | None = None
        self.cookies: dict[str, str] = {}

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def _exchange(self, method: str, path: str, body: bytes | None, headers: dict):
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(HOST, self.port, timeout=60)
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                return response, response.read()
            except (http.client.HTTPException, ConnectionError, TimeoutError, OSError):
                # A kept-alive connection the server closed, or a worker that died under us
                # (the worker check counts those); a fresh connection tries once more.
                self.close()
                with self.stats.lock:
                    self.stats.dropped += 1
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def send(self, method: str, path: str, form: list | None = None) -> tuple[int, str, Reply]:
        """One request, no redirects followed: status, Location, reply."""
        headers = {"Host": f"{HOST}:{self.port}", "Accept-Language": self.lang.replace("_", "-")}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if method == "POST":
            body = urlencode(form or [], doseq=True).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.budget.take()
        try:
            response, raw = self._exchange(method, path, body, headers)
        except (http.client.HTTPException, OSError) as error:
            self.stats.fail(f"{method} {path}: no answer ({error!r})")
            raise VisitOver() from error
        finally:
            self.budget.done()
        for cookie in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = cookie.partition("=")
            value, _, attributes = rest.partition(";")
            gone = "max-age=0" in attributes.lower().replace(" ", "") or not value.strip('"')
            if gone:
                self.cookies.pop(name.strip(), None)
            else:
                self.cookies[name.strip()] = value
        kind = response.headers.get("Content-Type", "")
        text = raw.decode("utf-8", errors="replace") if "text" in kind or "json" in kind else ""
        with self.stats.lock:
            self.stats.statuses[response.status] += 1
            if response.status in (400, 405, 409, 422) and len(self.stats.refused) < 10:
                self.stats.refused.append(f"{response.status} {method} {path} as {self.who}")
            if response.status >= 500:
                self.stats.server_errors.append(
                    f"{response.status} {method} {path} as {self.who} in {self.lang}"
                )
        return (
            response.status,
            response.headers.get("Location", ""),
            Reply(response.status, path, kind, text, method),
        )

    def go(self, method: str, path: str, form: list | None = None) -> Reply:
        """A request and the redirects after it, as a browser follows them (same origin)."""
        status, location, reply = self.send(method, path, form)
        for _ in range(5):
            if status not in (301, 302, 303, 307, 308) or not location:
                break
            target = local(path, location)
            if target is None:
                break
            path = target
            if status in (307, 308) and method == "POST":
                status, location, reply = self.send("POST", path, form)
            else:
                status, location, reply = self.send("GET", path)
        return reply


def local(base: str, href: str) -> str | None:
    """`href` as a path and query on this site, without its fragment; None when elsewhere."""
    href = unescape(href.strip())
    if not href or href.startswith(("#", "mailto:", "tel:", "javascript:", "data:")):
        return None
    parts = urlsplit(urljoin(f"http://{HOST}{base}", href))
    if parts.scheme != "http" or parts.hostname != HOST:
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def links(reply: Reply) -> list[tuple[str, bool]]:
    """(target, is a language switch) for every link on the page."""
    found = []
    for tag in LINK.findall(reply.text):
        if (href := HREF.search(tag)) and (target := local(reply.url, href.group(1))):
            found.append((target, "hreflang" in tag.lower()))
    return found


# --- Forms --------------------------------------------------------------------------------------


@dataclass
class Form:
    action: str
    method: str
    multipart: bool
    fields: list[dict] = field(default_factory=list)  # tag, type, name, value, checked
    buttons: list[tuple[str, str]] = field(default_factory=list)  # named submit buttons
    options: dict[str, list[tuple[str, bool]]] = field(default_factory=dict)  # select name


class Forms(HTMLParser):
    """The forms of a page: fields with their values, selects' options, submit buttons."""

    def __init__(self, base: str) -> None:
        super().__init__(convert_charrefs=True)
        self.base, self.forms = base, []
        self.form: Form | None = None
        self.select = self.textarea = None
        self.option: list | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = {k: (v or "") for k, v in attrs}
        if tag == "form":
            action = local(self.base, a.get("action", "")) if a.get("action") else self.base
            self.form = Form(
                action or "",
                a.get("method", "get").upper(),
                "multipart" in a.get("enctype", ""),
            )
            if action:
                self.forms.append(self.form)
        elif self.form is None:
            return
        elif tag == "input":
            kind = a.get("type", "text").lower()
            if kind == "file":
                self.form.multipart = True
            elif kind in ("submit", "image"):
                if a.get("name"):
                    self.form.buttons.append((a["name"], a.get("value", "")))
            elif a.get("name") and kind not in ("reset", "button"):
                checked = "checked" in a
                self.form.fields.append(
                    {"tag": "input", "type": kind, "name": a["name"], "value": a.get("value")}
                    | {"checked": checked}
                )
        elif tag == "button":
            if a.get("type", "submit").lower() == "submit" and a.get("name"):
                self.form.buttons.append((a["name"], a.get("value", "")))
        elif tag == "select" and a.get("name"):
            self.select = a["name"]
            self.form.options[self.select] = []
            self.form.fields.append({"tag": "select", "name": a["name"]})
        elif tag == "option" and self.select:
            self.option = [a.get("value"), "selected" in a, ""]
        elif tag == "textarea" and a.get("name"):
            self.textarea = {"tag": "textarea", "name": a["name"], "value": ""}
            self.form.fields.append(self.textarea)

    def handle_data(self, data: str) -> None:
        if self.textarea is not None:
            self.textarea["value"] += data
        if self.option is not None:
            self.option[2] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.form = None
        elif tag == "select":
            self.select = None
        elif tag == "option" and self.option is not None and self.select and self.form:
            value, selected, text = self.option
            self.form.options[self.select].append(
                (text.strip() if value is None else value, selected)
            )
            self.option = None
        elif tag == "textarea":
            self.textarea = None


def forms_of(reply: Reply) -> list[Form]:
    if "<form" not in reply.text:
        return []
    parser = Forms(reply.url)
    parser.feed(reply.text)
    return parser.forms


def filled(form: Form, rng: random.Random, button: tuple[str, str] | None = None) -> list:
    """The form's data as a person filling it in plainly would send it."""
    data, radios = [], {}
    for f in form.fields:
        name, kind, value = f["name"], f.get("type", ""), f.get("value")
        if f["tag"] == "select":
            options = form.options.get(name) or []
            chosen = [v for v, selected in options if selected] or [v for v, _ in options[:1]]
            data += [(name, v) for v in chosen[:1]]
        elif f["tag"] == "textarea":
            data.append((name, value or "A short note from the soak test."))
        elif kind == "radio":
            radios.setdefault(name, []).append((value or "on", f["checked"]))
        elif kind == "checkbox":
            if f["checked"] or rng.random() < 0.5:
                data.append((name, value or "on"))
        elif kind == "hidden" or value:
            data.append((name, value or ""))
        else:
            data.append((name, sample_value(kind, name)))
    for name, choices in radios.items():
        checked = [v for v, c in choices if c]
        data.append((name, checked[0] if checked else rng.choice(choices)[0]))
    if button is None and form.buttons:
        button = rng.choice(form.buttons)
    if button is not None:
        data.append(button)
    return data


def sample_value(kind: str, name: str) -> str:
    if kind == "email" or "email" in name:
        return "soak@example.org"
    if kind in ("number", "range") or any(w in name for w in ("cost", "budget", "count", "amount")):
        return "100"
    if kind == "date":
        return date.today().isoformat()
    if kind == "url":
        return "https://example.org/"
    if kind == "tel":
        return "0121 496 0000"
    if kind == "password":
        return "a long soak password 1"
    return "Soak test"


def submit(b: Browser, form: Form, data: list) -> Reply:
    if form.method == "POST":
        return b.go("POST", form.action, data)
    path, _, _ = form.action.partition("?")
    return b.go("GET", f"{path}?{urlencode(data, doseq=True)}")


# --- Visits -----------------------------------------------------------------------------------


class Visit:
    """One person, in one language, for a few dozen pages."""

    def __init__(self, soak: Soak, who: str, lang: str, rng: random.Random) -> None:
        self.soak, self.who, self.lang, self.rng = soak, who, lang, rng
        self.b = Browser(soak.port, soak.budget, soak.stats, lang, who)
        self.visited: set[str] = set()
        self.submitted: set[str] = set()

    def run(self) -> None:
        try:
            if self.who in self.soak.signed_in:
                self.b.cookies.update(self.soak.signed_in[self.who])
            home = self.look(self.b.go("GET", "/"))
            self.choose_language(home)
            if self.who == "voter":
                self.vote()
            self.walk(self.soak.args.pages_per_visit)
        finally:
            self.b.close()

    def look(self, reply: Reply, asked: str = "") -> Reply:
        """Note a page: its links for the walk, its language, that it was seen (both the
        address `asked` for and the one a redirect led to)."""
        stats, path = self.soak.stats, reply.url
        with stats.lock:
            known = stats.seen.setdefault(self.who, {})
            variants = stats.variants.setdefault(self.who, Counter())
            if reply.status < 400 and reply.text:
                for target, switch in links(reply):
                    if switch or target.startswith("/static/") or "lang=" in target:
                        continue
                    # A few addresses per path: links that carry the page they are on
                    # (?next=, ?page=) would otherwise nest without end.
                    bare = target.partition("?")[0]
                    if target in known or variants[bare] >= MAX_VARIANTS:
                        continue
                    if len(known) < self.soak.args.max_urls:
                        known[target] = 0
                        variants[bare] += 1
            for url in {path, asked} & known.keys():
                known[url] += 1
            stats.seen_in.add((self.who, self.lang, path))
            # A page of ours is in the visit's language (not a form's answer: printed letters
            # are in the language the organiser chose for them).
            shown = reply.status == 200 and reply.method == "GET"
            m = HTML_LANG.search(reply.text[:500]) if shown else None
            if m and m.group(1) != self.lang.replace("_", "-"):
                stats.wrong_language[self.lang] += 1
                if len(stats.wrong_examples) < 10:
                    stats.wrong_examples.append(
                        f"{path} as {self.who}: {m.group(1)}, not {self.lang}"
                    )
        self.visited.add(path)
        return reply

    def choose_language(self, home: Reply) -> None:
        """Follow the home page's link to the language, as a person does."""
        tag = self.lang.replace("_", "-")
        for tag_html in LINK.findall(home.text):
            lang = re.search(r'\bhreflang\s*=\s*"([^"]*)"', tag_html)
            href = HREF.search(tag_html)
            if lang and href and lang.group(1) == tag:
                target = local(home.url, href.group(1))
                if target:
                    self.look(self.b.go("GET", target))
                    return
        self.soak.stats.fail(f"no link to the language {self.lang} on the home page")
        self.b.cookies["lang"] = self.lang

    def sign_in(self) -> bool:
        """Sign in through the sign-in form; whether it worked."""
        email, password = self.soak.site.logins[self.who]
        page = self.look(self.b.go("GET", SIGN_IN))
        for form in forms_of(page):
            if not any(f.get("type") == "password" for f in form.fields):
                continue
            data = []
            for name, value in filled(form, self.rng):
                kinds = {f["name"]: f.get("type", "") for f in form.fields}
                if kinds.get(name) == "password":
                    value = password
                elif kinds.get(name) in ("email", "text") or "email" in name:
                    value = email
                data.append((name, value))
            after = self.look(self.b.go("POST", form.action, data))
            if after.status == 200 and 'type="password"' not in after.text:
                return True
            break
        self.soak.stats.fail(f"could not sign in as {self.who} ({email})")
        return False

    def vote(self) -> None:
        """Enter an unused demo code and walk the ballot to its receipt."""
        with self.soak.stats.lock:
            code = self.soak.site.codes.pop() if self.soak.site.codes else None
        if code is None:
            return
        base = f"/rounds/{self.soak.site.voting_slug}"
        page = self.look(self.b.go("GET", f"{base}/take-part"))
        form = next((f for f in forms_of(page) if f.method == "POST"), None)
        if form is None:
            self.soak.stats.fail(f"no code form at {base}/take-part")
            return
        data = [(n, code if n == "code" else v) for n, v in filled(form, self.rng)]
        page = self.look(self.b.go("POST", form.action, data))
        for step in range(12):
            forms = [f for f in forms_of(page) if f.method == "POST" and f.action.startswith(base)]
            cast = next((f for f in forms if f.action.endswith("/cast")), None)
            if cast is not None:
                receipt = self.look(self.b.go("POST", cast.action, filled(cast, self.rng)))
                if receipt.status == 200 and "receipt" in receipt.url:
                    with self.soak.stats.lock:
                        self.soak.stats.ballots_cast += 1
                    for check in forms_of(receipt):  # "check my ballot", on its receipt
                        if check.method == "POST":
                            self.look(self.b.go("POST", check.action, filled(check, self.rng)))
                return
            ballot = next((f for f in forms if f.buttons), None)
            if ballot is None:
                break
            # A couple of choices first, then on to checking them, as most voters do.
            wanted = ("add",) if step < 2 else ("review",)
            buttons = [b for b in ballot.buttons if b[0] in wanted] or ballot.buttons
            button = self.rng.choice(buttons)
            page = self.look(self.b.go("POST", ballot.action, filled(ballot, self.rng, button)))
        self.soak.stats.fail(f"a voter in {self.lang} did not reach a receipt")

    def walk(self, pages: int) -> None:
        """Pages from the links found so far, the least visited first; forms on the way."""
        stats = self.soak.stats
        for _ in range(pages):
            with stats.lock:
                known = stats.seen.setdefault(self.who, {})
                fresh = [
                    (n, self.rng.random(), u) for u, n in known.items() if u not in self.visited
                ]
            if not fresh:
                return
            url = min(fresh)[2]
            self.visited.add(url)
            page = self.look(self.b.go("GET", url), asked=url)
            self.try_forms(page)

    def try_forms(self, page: Reply) -> None:
        if page.status >= 400 or "<form" not in page.text:
            return
        actions = {
            local(page.url, a.group(1)) or ""
            for a in map(ACTION.search, FORM_TAG.findall(page.text))
            if a
        }
        if not any(self._may_submit(a) for a in actions | {page.url}):
            return
        for form in forms_of(page):
            if form.multipart or not self._may_submit(form.action):
                continue
            if self.rng.random() >= self.soak.args.form_share:
                continue
            self.submitted.add(_shape(form.action))
            after = self.look(submit(self.b, form, filled(form, self.rng)))
            with self.soak.stats.lock:
                self.soak.stats.forms[after.status] += 1
            if after.status < 400:
                self.visited.add(after.url)

    def _may_submit(self, action: str) -> bool:
        path = action.partition("?")[0]
        return bool(path) and not SKIP_FORMS.search(path) and _shape(path) not in self.submitted


def _shape(path: str) -> str:
    """A form's action with its numbers taken out: one of each kind a visit."""
    return re.sub(r"\d+", "N", path.partition("?")[0])


# --- The run ----------------------------------------------------------------------------------


class Soak:
    def __init__(self, args, site: Site, server: Server, budget: Budget) -> None:
        self.args, self.site, self.server, self.budget = args, site, server, budget
        self.port = server.port
        self.stats = Stats()
        personas = ["voter", *site.logins]
        self.plan = [(who, lang) for lang in site.languages for who in personas]
        self.next = 0
        self.lock = threading.Lock()
        self.signed_in: dict[str, dict[str, str]] = {}
        self.cpu: dict[str, float] = {}

    def sign_in_everyone(self) -> None:
        """Sign each account in once, as a person does, and share its cookies between the
        visits in its name (as tabs of one browser): the site rightly limits sign-ins."""
        for who in self.site.logins:
            visit = Visit(self, who, "en", random.Random(0))
            try:
                if visit.sign_in():
                    self.signed_in[who] = dict(visit.b.cookies)
            finally:
                visit.b.close()

    def client(self, number: int) -> None:
        rng = random.Random(number)
        while not self.budget.stopped:
            with self.lock:
                who, lang = self.plan[self.next % len(self.plan)]
                self.next += 1
            try:
                Visit(self, who, lang, rng).run()
            except VisitOver:
                continue
            except Stop:
                return


def watch(server: Server, budget: Budget, first: set[int], deaths: list, stop: threading.Event):
    """Every quarter second: the workers still there? The master still up?"""
    alive = set(first)
    while not stop.wait(0.25):
        if server.process.poll() is not None:
            deaths.append(f"gunicorn's master exited with {server.process.returncode}")
            budget.stop("the server exited")
            return
        now = server.worker_pids()
        deaths += [f"worker {pid} disappeared" for pid in sorted(alive - now)]
        alive = now


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("SOAK_DATABASE_URL", ""),
        help="PostgreSQL to soak on, in --schema; default: a fresh SQLite file",
    )
    parser.add_argument("--schema", default="soak", help="PostgreSQL schema, dropped first")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--port", type=int, default=0, help="default: a free one")
    parser.add_argument("--pages-per-visit", type=int, default=30)
    parser.add_argument("--max-urls", type=int, default=400, help="distinct pages per visitor")
    parser.add_argument("--form-share", type=float, default=0.5, help="of forms seen, submitted")
    parser.add_argument("--warm-up", type=float, default=0.2, help="share of requests")
    parser.add_argument("--memory-tolerance", type=float, default=0.10)
    parser.add_argument("--max-seconds", type=float, default=3600, help="stop sooner than that")
    parser.add_argument(
        "--server-python", default=sys.executable, help="the interpreter gunicorn runs on"
    )
    parser.add_argument("--show-pages", action="store_true", help="list the pages found")
    parser.add_argument("--redis-url", default="", help="REDIS_URL for the server (default none)")
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="coprod-soak-"))
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")}
    env |= {"SECRET_KEY": SECRET, "PYTHONFAULTHANDLER": "1", "PYTHONUNBUFFERED": "1"}
    if args.redis_url:
        env["REDIS_URL"] = args.redis_url
    if args.database_url:
        if not args.database_url.startswith("postgres"):
            raise SystemExit("--database-url: a PostgreSQL URL (SQLite is the default)")
        env["DATABASE_URL"] = reset_postgres_schema(args.database_url, args.schema)
        database = f"PostgreSQL (schema {args.schema})"
    else:
        env["DATABASE_URL"] = f"sqlite:///{work / 'soak.db'}"
        database = "SQLite"

    server = None
    try:
        site = prepare(args.server_python, env, codes_wanted=args.requests // 100)
        server = Server(args, env, work / "gunicorn.log")
        first = server.wait_until_up()
        return run(args, site, server, first, database)
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(work, ignore_errors=True)


def run(args, site: Site, server: Server, first: set[int], database: str) -> int:
    memory: dict[str, dict[int, int | None]] = {}

    def measure(when: str) -> None:
        time.sleep(0.5)  # let the workers finish the last request's tidying up
        memory[when] = {pid: rss_kib(pid) for pid in sorted(first)}

    warm_at = int(args.requests * args.warm_up)
    budget = Budget(
        args.requests, warm_at, time.monotonic() + args.max_seconds, lambda: measure("warm")
    )
    soak = Soak(args, site, server, budget)
    deaths: list[str] = []
    stop = threading.Event()
    watcher = threading.Thread(target=watch, args=(server, budget, first, deaths, stop))
    watcher.start()
    with contextlib.suppress(Stop):
        soak.sign_in_everyone()
    clients = [threading.Thread(target=soak.client, args=(n,)) for n in range(args.clients)]
    started = time.monotonic()
    for t in clients:
        t.start()
    for t in clients:
        t.join()
    elapsed = time.monotonic() - started
    measure("end")
    soak.cpu = {
        "gunicorn workers": sum(cpu_seconds(p) for p in server.worker_pids()),
        "client": time.process_time(),
    }
    stop.set()
    watcher.join()
    log = server.log_text()
    return report(args, soak, database, first, memory, deaths, log, elapsed)


def report(args, soak: Soak, database: str, first, memory, deaths, log, elapsed) -> int:
    stats, site = soak.stats, soak.site
    sent = soak.budget.used
    python = subprocess.run(
        [args.server_python, "-c", "import platform; print(platform.python_version())"],
        capture_output=True,
        text=True,
    ).stdout.strip()
    print(
        f"soak on {database}: gunicorn gthread {args.workers} workers x {args.threads} threads, "
        f"Python {python} -X faulthandler; {args.clients} client threads"
    )
    print(f"visitors: voter, {', '.join(site.logins)}; languages: {', '.join(site.languages)}")
    print(f"requests: {sent} in {elapsed:.1f} s = {sent / max(elapsed, 1e-9):.1f} requests/s")
    print("  by status: " + ", ".join(f"{s}: {n}" for s, n in sorted(stats.statuses.items())))
    for line in stats.refused:
        print(f"    e.g. {line}")
    errors = sum(n for s, n in stats.statuses.items() if s >= 500)
    print(f"5xx responses: {errors}")
    for line in stats.server_errors[:20]:
        print(f"    {line}")
    signs = [line for line in log.splitlines() if any(s in line for s in DEATH_SIGNS)]
    print(f"worker deaths: {len(deaths)}; crash lines in the server log: {len(signs)}")
    for line in (signs + deaths)[:20]:
        print(f"    {line}")
    print(f"connections dropped and tried again: {stats.dropped}")
    print("CPU seconds: " + ", ".join(f"{k} {v:.1f}" for k, v in soak.cpu.items()))
    print("memory per worker (VmRSS, no request in flight), after the warm-up -> at the end:")
    grew = []
    for pid in sorted(first):
        start, end = memory.get("warm", {}).get(pid), memory.get("end", {}).get(pid)
        if start is None or end is None:  # a death, counted above
            print(f"    worker {pid}: not measured, it is gone")
            continue
        change = (end - start) / start
        print(f"    worker {pid}: {start / 1024:.1f} MiB -> {end / 1024:.1f} MiB ({change:+.1%})")
        if change > args.memory_tolerance:
            grew.append(pid)
    pages = {who: len(urls) for who, urls in stats.seen.items()}
    pairs = Counter(who for who, _, _ in stats.seen_in)
    print(
        "pages found (distinct URLs) and page x language pairs seen, by visitor: "
        + "; ".join(f"{who} {pages.get(who, 0)}/{pairs[who]}" for who in pages)
    )
    print(
        f"ballots cast: {stats.ballots_cast}; forms submitted: {sum(stats.forms.values())} "
        f"({', '.join(f'{s}: {n}' for s, n in sorted(stats.forms.items()))})"
    )
    if args.show_pages:
        for who, urls in sorted(stats.seen.items()):
            print(f"  {who}: " + " ".join(f"{u}({n})" for u, n in sorted(urls.items())))
    if stats.wrong_language:
        print(f"pages not in the visit's language: {dict(stats.wrong_language)}")
        for line in stats.wrong_examples:
            print(f"    {line}")
    for message in stats.failures[:10]:
        print(f"  could not: {message}")

    problems = []
    if errors:
        problems.append(f"{errors} responses 5xx")
    if deaths or signs:
        problems.append(f"{len(deaths)} worker deaths, {len(signs)} crash lines in the log")
    if grew:
        problems.append(f"memory grew more than {args.memory_tolerance:.0%} (workers {grew})")
    if soak.budget.stopped == "the server exited":
        problems.append("the server exited")
    elif soak.budget.stopped:
        # A bound, not a check of speed: what was done is judged all the same.
        print(f"stopped early ({soak.budget.stopped}) after {sent} requests")
    if any(m.startswith(("could not sign in", "no code form")) for m in stats.failures):
        problems.append("a visitor could not do their part")
    if problems:
        print("FAILED: " + "; ".join(problems))
        lines = log.splitlines()
        crash = next((i for i, line in enumerate(lines) if "Fatal Python error" in line), None)
        if crash is not None:
            # faulthandler lists every thread; the one that crashed is the "Current thread".
            here = next(
                (i for i in range(crash, len(lines)) if lines[i].startswith("Current thread")),
                crash,
            )
            print("--- the first crash in the server's log ---")
            print("\n".join([lines[crash], *lines[here : here + 40]]))
        print("--- the end of the server's log ---")
        print("\n".join(lines[-40:]))
        return 1
    print("PASSED: no 5xx, no worker died, memory flat after the warm-up")
    return 0


if __name__ == "__main__":
    sys.exit(main())

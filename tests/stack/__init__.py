"""A throwaway copy of the whole service on localhost, for the load and fault scripts.

`Stack` starts its OWN PostgreSQL cluster (initdb into a temporary directory, another port),
its own redis-server, gunicorn, a Celery worker and beat, all pointed at each other through the
environment and `tests.stack.settings` (production settings over plain HTTP). It never touches
the shared PostgreSQL, Redis or RabbitMQ on the default ports. Everything it started is stopped,
by process id, when the `with` block ends, however it ends (including SIGINT and SIGTERM).
"""

from __future__ import annotations

import contextlib
import glob
import hashlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SEED_RECIPE = 2  # bump when the way the seeded cluster is made changes: older caches are not used
PYTHON = sys.executable
# The cached cluster keeps the jobs the seed queued (the demo import's recompute) but not the
# Redis that held their messages: without sending them again they stay queued for ever, and
# every later import's recompute joins the dead one instead of running.
RESEND_QUEUED = """
import importlib
from qsg import jobs
from qsg.models import Job
for module in ("dashboard.tasks", "surveillance.meetings.tasks", "risksummits.tasks"):
    importlib.import_module(module)
sent = [job.kind for job in Job.objects.filter(status="queued") if jobs.send_again(job)]
print("sent again:", sent)
"""


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _pg_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        raise SystemExit(f"PostgreSQL's {name} not found under /usr/lib/postgresql/*/bin")
    return found[-1]


class Stack:
    def __init__(
        self,
        name: str,
        *,
        web_workers: int = 3,
        web_threads: int = 4,
        worker_concurrency: int = 2,
        extra_env: dict[str, str] | None = None,
        keep: bool = False,
    ):
        self.name = name
        self.dir = Path(tempfile.mkdtemp(prefix=f"qsg-{name}-"))
        self.keep = keep
        self.pg_port, self.redis_port, self.web_port = free_port(), free_port(), free_port()
        self.web_workers, self.web_threads = web_workers, web_threads
        self.worker_concurrency = worker_concurrency
        self.processes: dict[str, subprocess.Popen] = {}
        self.logs: dict[str, Path] = {}
        # Fixed, so that a cached seeded database (see start_all) keeps working; local only.
        self.password = "stack-demo-password-2026"
        self.base_url = f"http://127.0.0.1:{self.web_port}"
        self.pgdata = self.dir / "pgdata"
        self.as_postgres = os.geteuid() == 0  # initdb refuses to run as root
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CELERY_"))},
            "PYTHONPATH": str(ROOT),
            "DJANGO_SETTINGS_MODULE": "tests.stack.settings",
            "DJANGO_SECRET_KEY": "stack-test-" + secrets.token_hex(32),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DJANGO_SECURE_SSL_REDIRECT": "false",
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:{self.pg_port}/qsg",
            "REDIS_URL": f"redis://127.0.0.1:{self.redis_port}/0",
            "CELERY_BROKER_URL": f"redis://127.0.0.1:{self.redis_port}/0",
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "QSG_MEDIA_ROOT": str(self.dir / "media"),
            # Kept between runs: collecting and compressing the static files takes a minute.
            "QSG_STATIC_ROOT": str(ROOT / "var" / "stack-static"),
            "QSG_SITE_URL": self.base_url,
            "LOG_LEVEL": "WARNING",
            "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
            **(extra_env or {}),
        }

    # Lifecycle ------------------------------------------------------------------------------

    def __enter__(self) -> Stack:
        self._old_handlers = {
            sig: signal.signal(sig, self._on_signal) for sig in (signal.SIGINT, signal.SIGTERM)
        }
        log(f"stack {self.name}: working directory {self.dir}")
        return self

    def __exit__(self, *exc) -> None:
        self.teardown()
        for sig, handler in self._old_handlers.items():
            signal.signal(sig, handler)

    def _on_signal(self, signum, frame):
        raise SystemExit(f"stopped by signal {signum}")

    def teardown(self) -> None:
        for name in reversed(list(self.processes)):
            self.stop(name)
        if self.pgdata.exists():
            self._pg_ctl("stop", "-m", "immediate", check=False)
        if self.keep:
            log(f"kept {self.dir}")
        else:
            shutil.rmtree(self.dir, ignore_errors=True)
        log(f"stack {self.name}: stopped everything it started")

    # Processes ------------------------------------------------------------------------------

    def spawn(self, name: str, command: list[str], env: dict | None = None) -> subprocess.Popen:
        path = self.dir / f"{name}.log"
        self.logs[name] = path
        handle = open(path, "ab")  # noqa: SIM115 (the child owns it until it exits)
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env or self.env,
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.processes[name] = process
        return process

    def stop(self, name: str, sig: int = signal.SIGTERM, timeout: float = 20) -> None:
        process = self.processes.pop(name, None)
        if process is None or process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)  # its own session: the group is exactly what we started
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)

    def group_pids(self, name: str) -> list[int]:
        """Every live process in the group `name` was started as (its own session): gunicorn's
        arbiter and workers, or Celery's parent and pool processes."""
        process = self.processes.get(name)
        if process is None:
            return []
        pids = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with contextlib.suppress(OSError, IndexError, ValueError):
                # The command name is in brackets and may hold spaces: fields follow its ")".
                fields = stat.read_text().rsplit(")", 1)[1].split()
                if int(fields[2]) == process.pid:  # the process group id
                    pids.append(int(stat.parent.name))
        return sorted(pids)

    def tail(self, name: str, lines: int = 40) -> str:
        path = self.logs.get(name)
        if not path or not path.exists():
            return ""
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])

    def manage(self, *args: str, timeout: float = 600, input: str | None = None) -> str:
        result = subprocess.run(
            [PYTHON, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            input=input,
        )
        if result.returncode:
            raise SystemExit(f"manage.py {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
        return result.stdout

    def script(self, path: Path | str, *args: str, timeout: float = 600) -> str:
        """Run a Python script (which calls django.setup()) against this stack; its stdout."""
        result = subprocess.run(
            [PYTHON, str(path), *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if result.returncode:
            raise SystemExit(f"{path} failed:\n{result.stdout}{result.stderr}")
        return result.stdout

    # PostgreSQL ------------------------------------------------------------------------------

    def _pg(self, *args: str) -> list[str]:
        return ["runuser", "-u", "postgres", "--", *args] if self.as_postgres else list(args)

    def _pg_ctl(self, *args: str, check: bool = True) -> None:
        subprocess.run(
            self._pg(_pg_bin("pg_ctl"), "-D", str(self.pgdata), "-w", "-t", "60", *args),
            check=check,
            capture_output=True,
            timeout=120,
        )

    def start_postgres(self) -> None:
        self.pgdata.mkdir()
        if self.as_postgres:
            os.chmod(self.dir, 0o755)  # noqa: S103 (the postgres user must reach its data directory)
            shutil.chown(self.pgdata, "postgres", "postgres")
        subprocess.run(
            self._pg(_pg_bin("initdb"), "-D", str(self.pgdata), "-U", "postgres", "-A", "trust"),
            check=True,
            capture_output=True,
            timeout=120,
        )
        self.pg_start()
        subprocess.run(
            self._pg(
                _pg_bin("createdb"),
                "-h",
                "127.0.0.1",
                "-p",
                str(self.pg_port),
                "-U",
                "postgres",
                "qsg",
            ),
            check=True,
            timeout=60,
        )
        log(f"PostgreSQL (own cluster) on 127.0.0.1:{self.pg_port}")

    def pg_start(self) -> None:
        options = (
            f"-p {self.pg_port} -c listen_addresses=127.0.0.1 -k {self.pgdata} "
            "-c max_connections=200 -c shared_buffers=128MB -c fsync=off "
            "-c full_page_writes=off"
        )
        self._pg_ctl("start", "-o", options, "-l", str(self.pgdata / "server.log"))

    def pg_stop(self, mode: str = "fast") -> None:
        self._pg_ctl("stop", "-m", mode)

    def sql(self, query: str) -> str:
        result = subprocess.run(
            self._pg(
                _pg_bin("psql"),
                "-h",
                "127.0.0.1",
                "-p",
                str(self.pg_port),
                "-U",
                "postgres",
                "-d",
                "qsg",
                "-At",
                "-c",
                query,
            ),
            capture_output=True,
            text=True,
            timeout=60,
        )
        if result.returncode:
            raise RuntimeError(result.stderr)
        return result.stdout.strip()

    # Redis -----------------------------------------------------------------------------------

    def start_redis(self) -> None:
        self.spawn(
            "redis",
            [
                "redis-server",
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.redis_port),
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.dir),
            ],
        )
        self.wait_port(self.redis_port, "Redis")
        log(f"Redis (own server) on 127.0.0.1:{self.redis_port}")

    # The application -------------------------------------------------------------------------

    def prepare(self, seed_demo: bool = True) -> None:
        started = time.monotonic()
        self.manage("migrate", "--noinput")
        self.collectstatic()
        if seed_demo:
            self.manage("seed_demo", "--password", self.password)
        log(
            f"migrated{' and seeded the demo' if seed_demo else ''} in {time.monotonic() - started:.0f} s"
        )

    def collectstatic(self) -> None:
        """Collect (and compress) the static files, unless they have not changed since last time."""
        target = Path(self.env["QSG_STATIC_ROOT"])
        digest = hashlib.sha256()
        for path in sorted((ROOT / "static").rglob("*")):
            if path.is_file():
                stat = path.stat()
                digest.update(f"{path}:{stat.st_size}:{stat.st_mtime_ns}".encode())
        marker = target / ".collected"
        if marker.exists() and marker.read_text() == digest.hexdigest():
            return
        self.manage("collectstatic", "--noinput")
        marker.write_text(digest.hexdigest())

    def start_web(self) -> None:
        self.spawn(
            "web",
            [
                PYTHON,
                "-m",
                "gunicorn",
                "qsg.wsgi",
                "--config",
                str(ROOT / "gunicorn.conf.py"),
                "--bind",
                f"127.0.0.1:{self.web_port}",
                "--workers",
                str(self.web_workers),
                "--threads",
                str(self.web_threads),
                "--no-control-socket",
            ],
        )
        self.wait_http("/healthz")
        log(
            f"gunicorn on {self.base_url} ({self.web_workers} workers x {self.web_threads} threads)"
        )

    def start_worker(self, name: str = "worker") -> subprocess.Popen:
        process = self.spawn(
            name,
            [
                PYTHON,
                "-m",
                "celery",
                "-A",
                "qsg",
                "worker",
                "--loglevel",
                "INFO",
                "--concurrency",
                str(self.worker_concurrency),
                "--pool",
                "prefork",
                "-n",
                f"{name}-{self.name}@%h",
                "--without-gossip",
                "--without-mingle",
            ],
        )
        self.wait_log(name, " ready.", 90)
        log(f"Celery {name} ready (prefork x {self.worker_concurrency})")
        return process

    def start_beat(self) -> None:
        self.spawn(
            "beat",
            [
                PYTHON,
                "-m",
                "celery",
                "-A",
                "qsg",
                "beat",
                "--loglevel",
                "INFO",
                "--schedule",
                str(self.dir / "beat-schedule"),
                "--pidfile",
                "",
            ],
        )
        log("Celery beat started")

    def settle_jobs(self, timeout: float = 600) -> None:
        """Run the jobs the seed queued (its imports' recompute) before the database is cached.

        Their messages live only in this stack's Redis: cached as "queued", a job would stay so
        in every later stack (nothing sends a queued job again), and recompute requests, which
        join a waiting recompute, would never run."""
        self.start_worker("seed-worker")
        query = "SELECT count(*) FROM qsg_job WHERE status IN ('queued', 'running')"
        deadline = time.monotonic() + timeout
        while self.sql(query) != "0":
            if time.monotonic() > deadline:
                raise SystemExit(f"the seed's jobs did not finish within {timeout:.0f} s")
            time.sleep(1)
        self.stop("seed-worker")
        log("ran the jobs the seed queued")

    def seed_key(self) -> str:
        """What the seeded database depends on: migrations, demo data code, today's date, and
        how it is made (SEED_RECIPE)."""
        digest = hashlib.sha256(f"{time.strftime('%Y-%m-%d')} {SEED_RECIPE}".encode())
        files = sorted(ROOT.glob("*/migrations/*.py")) + sorted(ROOT.glob("*/demo*.py"))
        for path in files:
            digest.update(str(path.relative_to(ROOT)).encode())
            digest.update(path.read_bytes())
        return digest.hexdigest()[:16]

    def start_all(self, seed_demo: bool = True) -> None:
        """Everything, seeded with the demo. The seeded cluster is cached under var/stack-cache/
        (per migrations, demo code and day): later runs copy it instead of seeding for minutes."""
        cache = ROOT / "var" / "stack-cache" / self.seed_key() / "pgdata"
        if seed_demo and cache.exists():
            shutil.copytree(cache, self.pgdata, symlinks=True)
            if self.as_postgres:
                os.chmod(self.dir, 0o755)  # noqa: S103 (the postgres user must reach its data directory)
                for path in [self.pgdata, *self.pgdata.rglob("*")]:
                    shutil.chown(path, "postgres", "postgres")
            self.pg_start()
            log(f"PostgreSQL (own cluster, from the seeded cache) on 127.0.0.1:{self.pg_port}")
            self.start_redis()
            self.manage("migrate", "--noinput")
            self.collectstatic()
            self.manage("shell", "-c", RESEND_QUEUED)
        else:
            self.start_postgres()
            self.start_redis()
            self.prepare(seed_demo=seed_demo)
            if seed_demo:
                self.settle_jobs()
                self.pg_stop("fast")
                # Copy aside, then rename: another stack seeding at the same time cannot mix in.
                staging = cache.parent.with_name(f"{cache.parent.name}.{os.getpid()}")
                shutil.copytree(self.pgdata, staging / "pgdata", symlinks=True)
                try:
                    staging.rename(cache.parent)
                except OSError:
                    shutil.rmtree(staging, ignore_errors=True)
                self.pg_start()
        self.start_web()
        self.start_worker()
        self.start_beat()

    # Waiting --------------------------------------------------------------------------------

    def wait_port(self, port: int, what: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
                return
            time.sleep(0.2)
        raise SystemExit(f"{what} did not listen on {port} within {timeout} s")

    def wait_http(self, path: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with (
                contextlib.suppress(urllib.error.URLError, OSError),
                urllib.request.urlopen(self.base_url + path, timeout=2) as response,
            ):
                if response.status == 200:
                    return
            time.sleep(0.3)
        raise SystemExit(f"{self.base_url}{path} did not answer 200 within {timeout} s")

    def wait_log(self, name: str, text: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.tail(name, 400):
                return
            process = self.processes.get(name)
            if process is not None and process.poll() is not None:
                break
            time.sleep(0.3)
        raise SystemExit(f"{name} did not log {text!r} within {timeout} s:\n{self.tail(name)}")

    def readyz(self) -> dict:
        try:
            with urllib.request.urlopen(self.base_url + "/readyz", timeout=10) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as error:
            return json.loads(error.read() or b"{}")

"""One interface for background jobs.

    @job("organizations.notify_registered")
    def notify_registered(*, organization_id): ...

    enqueue("organizations.notify_registered", organization_id=5)

`enqueue` runs the job after the current transaction commits: in a worker thread of this process in
the embedded default (KECHUANG_JOBS=inprocess), or on a Celery worker through Redis in production
(KECHUANG_JOBS=celery). The caller never knows which. Jobs take JSON-serialisable keyword arguments
and must be safe to run twice.
"""

import logging
import os
import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

from django.conf import settings
from django.db import close_old_connections, connections, transaction

logger = logging.getLogger(__name__)

_registry: dict[str, Callable] = {}
_executor: ThreadPoolExecutor | None = None
_executor_lock = threading.Lock()


def job(name: str):
    """Register a function as a background job under `name`."""

    def decorator(func):
        if name in _registry and _registry[name] is not func:
            raise ValueError(f"job {name} registered twice")
        _registry[name] = func
        return func

    return decorator


def registered_jobs() -> list[str]:
    return sorted(_registry)


def run_job_now(name: str, kwargs: dict):
    """Run a registered job in the calling thread (what a worker does)."""
    _load_job_modules()
    try:
        func = _registry[name]
    except KeyError:
        raise LookupError(f"unknown job {name}") from None
    return func(**kwargs)


def _load_job_modules() -> None:
    from importlib import import_module

    from django.apps import apps
    from django.utils.module_loading import module_has_submodule

    for config in apps.get_app_configs():
        if config.name.startswith("kechuang.") and module_has_submodule(config.module, "jobs"):
            import_module(f"{config.name}.jobs")


class JobHandle:
    """What `enqueue` returns: lets a caller (usually a test or a command) wait for the result."""

    def __init__(self):
        self._ready = threading.Event()
        self._result_getter: Callable[[float], object] | None = None

    def _bind(self, getter: Callable[[float], object]) -> None:
        self._result_getter = getter
        self._ready.set()

    def wait(self, timeout: float = 30):
        if not self._ready.wait(timeout):
            raise TimeoutError("the job was never dispatched (did the transaction commit?)")
        return self._result_getter(timeout)


def _inprocess_run(name: str, kwargs: dict):
    close_old_connections()
    try:
        return run_job_now(name, kwargs)
    except Exception:
        logger.exception("job %s failed", name)
        raise
    finally:
        connections.close_all()


def _get_executor() -> ThreadPoolExecutor:
    global _executor
    with _executor_lock:
        if _executor is None:
            # One worker: SQLite has a single writer, and order of jobs stays predictable.
            _executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kechuang-job")
        return _executor


# Celery results of the jobs this process dispatched lately, so that `drain` can wait for them.
_dispatched: deque = deque(maxlen=1000)


def inprocess_drain(timeout: float = 120) -> None:
    """Wait until the in-process worker has run every job queued so far (its one thread runs them in order).

    For tests: a job left running from one test would hold SQLite's write lock into the next.
    """
    with _executor_lock:
        executor = _executor
    if executor is not None:
        executor.submit(lambda: None).result(timeout=timeout)


def drain(timeout: float = 120) -> None:
    """Wait until every job this process queued has run, on either backend (tests: a Celery worker still
    writing while the test database is flushed deadlocks the flush)."""
    inprocess_drain(timeout)
    while _dispatched:
        result = _dispatched.popleft()
        try:
            result.get(timeout=timeout, propagate=False)
        except Exception:  # noqa: BLE001 - a lost or timed-out result: nothing more to wait for
            logger.warning("job result %s not received", getattr(result, "id", "?"))


def backend_name() -> str:
    return settings.KECHUANG_JOBS


def enqueue(name: str, **kwargs) -> JobHandle:
    """Run job `name` in the background once the current transaction commits."""
    _load_job_modules()
    if name not in _registry:
        raise LookupError(f"unknown job {name}")
    handle = JobHandle()

    def dispatch():
        if backend_name() == "celery":
            from .tasks import run_job

            result = run_job.delay(name, kwargs)
            _dispatched.append(result)
            handle._bind(lambda timeout: result.get(timeout=timeout))
        else:
            future: Future = _get_executor().submit(_inprocess_run, name, kwargs)
            handle._bind(lambda timeout: future.result(timeout=timeout))

    transaction.on_commit(dispatch)
    return handle


@job("core.ping")
def ping() -> dict:
    """Where jobs run (process and thread): a health check for operators, and proof for the tests."""
    return {"pid": os.getpid(), "thread": threading.current_thread().name}

"""Running independent tasks on local worker processes or on a Dask cluster (private).

sitrex's batch work (videos to landmark files, many athletes against one
coach, evaluation folds) is a list of independent tasks, each of which writes
its own output atomically. :func:`run_tasks` runs such a list:

* with a ``dask.distributed.Client`` (``client=``): the shared objects are
  sent once to every worker (``Client.scatter``), the tasks submitted with
  ``Client.map`` and collected as they finish (``distributed.as_completed`` on that
  client's loop: it need not be the default client);
* otherwise with joblib: ``n_jobs`` local worker processes, or whatever
  :func:`joblib.parallel_config` says, so that
  ``with parallel_config(backend="dask"):`` sends the same tasks to the
  Dask cluster of the current client.

In both cases:

* a task's exception is caught on the worker and reported as that task's
  failure (:class:`Outcome`); it never stops the other tasks;
* a worker process that dies (out of memory, a crash in native code) loses
  only what it was running: Dask's scheduler runs those tasks again on other
  workers (up to ``distributed.scheduler.allowed-failures`` times), then
  reports them as failed. A local joblib pool cannot go on without the dead
  process: the tasks not finished yet are reported as not run, and a rerun
  resumes from the outputs already written;
* large shared objects (a fitted comparator, a prepared coach) are pickled
  once by the caller and unpickled once per worker process (:class:`Shared`),
  not once per task: rebuilding a Keras model and compiling it takes
  seconds;
* the task runs with the caller's setting for third-party C++ log lines
  (:mod:`sitrex._native_logs`): quiet, unless the caller shows them
  (``sitrex --debug``).

Nothing is copied to the workers by hand: sitrex must be installed there
(the same version), and Dask or joblib ship the arguments.
"""

from __future__ import annotations

import hashlib
import pickle
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sitrex.exceptions import InputError

__all__ = ["Outcome", "Shared", "check_client", "run_tasks", "runs_in_process"]


#: How the error of a task that never ended starts.
NOT_RUN = "not run"


@dataclass(frozen=True)
class Outcome:
    """What became of one task.

    Attributes
    ----------
    index : int
        Position of the task in the list given to :func:`run_tasks`.
    ok : bool
        The task returned (`value` holds its result).
    value : object
        The task's return value (None when not `ok`).
    error : str
        ``"ErrorClass: message"`` when not `ok`.
    exception : Exception or None
        The task's exception itself, when it raised one that could travel
        back (None when a worker died, or the exception does not pickle).
    """

    index: int
    ok: bool
    value: Any = None
    error: str = ""
    exception: BaseException | None = None

    @property
    def not_run(self) -> bool:
        """The task never ended: its workers stopped (it may still have written its output)."""
        return not self.ok and self.error.startswith(NOT_RUN)


# ---------------------------------------------------------------------------- shared values
#: Values unpickled in this (worker) process, by token; the most recent few are kept.
_WORKER_VALUES: OrderedDict[str, Any] = OrderedDict()
_WORKER_VALUES_KEPT = 8
_WORKER_LOCK = threading.Lock()


class Shared:
    """A value sent to worker processes pickled once, and unpickled once per process.

    Pickling a ``Shared`` gives the value's bytes (pickled on first use, then
    reused) and their sha256, its token; unpickling it in a process that has
    already seen the token returns the value unpickled there before. So a
    long-lived worker (a Dask cluster's) rebuilds a comparator once for any
    number of calls that send the same one. In the process that made it,
    :attr:`value` is the object itself.

    Examples
    --------
    >>> import pickle
    >>> shared = Shared({"weights": [1.0, 2.0]})
    >>> a, b = (pickle.loads(pickle.dumps(shared)) for _ in range(2))
    >>> a.value == shared.value, a.value is b.value     # unpickled once in this process
    (True, True)
    """

    def __init__(self, value: Any):
        self.value = value
        self.token: str | None = None
        self._payload: bytes | None = None

    def __reduce__(self):
        if self._payload is None:
            self._payload = pickle.dumps(self.value, protocol=pickle.HIGHEST_PROTOCOL)
            self.token = hashlib.sha256(self._payload).hexdigest()
        return _shared_in_worker, (self.token, self._payload)

    def __sizeof__(self) -> int:   # what Dask's joblib backend weighs before scattering it
        return object.__sizeof__(self) + (len(self._payload) if self._payload else 1 << 20)


def _shared_in_worker(token: str, payload: bytes) -> Shared:
    with _WORKER_LOCK:
        value = _WORKER_VALUES.get(token, _WORKER_VALUES)
        if value is _WORKER_VALUES:
            value = _WORKER_VALUES[token] = pickle.loads(payload)
            while len(_WORKER_VALUES) > _WORKER_VALUES_KEPT:
                _WORKER_VALUES.popitem(last=False)
        else:
            _WORKER_VALUES.move_to_end(token)
    shared = Shared.__new__(Shared)
    shared.value, shared.token, shared._payload = value, token, payload
    return shared


# ---------------------------------------------------------------------------- the task
class _Task:
    """One task on a worker: the caller's log setting, shared values, errors caught."""

    def __init__(self, function: Callable[..., Any], show_native_logs: bool):
        self.function = function
        self.show_native_logs = show_native_logs

    def __call__(self, index: int, arguments: Mapping[str, Any], **shared: Any) -> Outcome:
        from sitrex import _native_logs

        if _native_logs._showing() != self.show_native_logs:
            _native_logs.show_native_logs(self.show_native_logs)
        values = {k: v.value if isinstance(v, Shared) else v for k, v in shared.items()}
        try:
            return Outcome(index, True, self.function(**arguments, **values))
        except Exception as exc:   # reported as this task's failure; the others go on
            return Outcome(index, False, error=_describe(exc), exception=_portable(exc))


def _portable(exc: Exception) -> Exception | None:
    """`exc` if it survives pickling (to travel back from a worker), else None."""
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:
        return None
    return exc.with_traceback(None)


def _describe(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


# ---------------------------------------------------------------------------- runners
def check_client(client: Any) -> Any:
    """`client` if it is a ``dask.distributed.Client`` (or None); a clear error otherwise.

    Examples
    --------
    >>> check_client(None) is None
    True
    >>> check_client("tcp://scheduler:8786")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    sitrex.exceptions.InputError: client must be a dask.distributed.Client...
    """
    if client is None:
        return None
    if not all(callable(getattr(client, m, None)) for m in ("map", "scatter", "cancel")):
        raise InputError(
            f"client must be a dask.distributed.Client; got {type(client).__name__}. Connect "
            "with Client('tcp://scheduler:8786') (pip install \"sitrex[dask]\"), or leave it "
            "out to use local processes")
    return client


def runs_in_process(client: Any, n_jobs: int | None) -> bool:
    """True when :func:`run_tasks` would run every task in this process (no pickling).

    Examples
    --------
    >>> runs_in_process(None, 1), runs_in_process(None, 2)
    (True, False)
    """
    if client is not None:
        return False
    from joblib import effective_n_jobs

    return effective_n_jobs(n_jobs) == 1


def run_tasks(function: Callable[..., Any], tasks: Sequence[Mapping[str, Any]], *,
              shared: Mapping[str, Any] | None = None, client: Any = None,
              n_jobs: int | None = None) -> Iterator[Outcome]:
    """Run ``function(**task, **shared)`` for every task; yield an :class:`Outcome` as each ends.

    Parameters
    ----------
    function : callable
        A module-level function (worker processes import it by name).
    tasks : sequence of mappings
        Keyword arguments of each call.
    shared : mapping, optional
        Keyword arguments common to every call, sent once per worker (see
        the module documentation).
    client : dask.distributed.Client, optional
        Run on this Dask cluster (`n_jobs` is then ignored: the cluster's
        workers decide).
    n_jobs : int, optional
        Local worker processes (joblib); None follows
        :func:`joblib.parallel_config` (one process, unless configured).

    Yields
    ------
    Outcome
        In the order the tasks finish; every task yields exactly one.

    Examples
    --------
    >>> def divide(a, b):
    ...     return a / b
    >>> outcomes = run_tasks(divide, [{"a": 1, "b": 2}, {"a": 1, "b": 0}], n_jobs=1)
    >>> [(o.index, o.ok, o.value or o.error) for o in sorted(outcomes, key=lambda o: o.index)]
    [(0, True, 0.5), (1, False, 'ZeroDivisionError: division by zero')]
    """
    from sitrex._native_logs import _showing

    task = _Task(function, _showing())
    shared = dict(shared or {})
    if check_client(client) is not None:
        return _run_dask(task, tasks, shared, client)
    return _run_joblib(task, tasks, shared, n_jobs)


def _run_joblib(task: _Task, tasks, shared: dict, n_jobs) -> Iterator[Outcome]:
    from joblib import Parallel, delayed

    wrapped = {k: Shared(v) for k, v in shared.items()}
    pending = set(range(len(tasks)))
    runner = Parallel(n_jobs=n_jobs, return_as="generator_unordered")
    try:
        for outcome in runner(delayed(task)(i, args, **wrapped) for i, args in enumerate(tasks)):
            pending.discard(outcome.index)
            yield outcome
    except Exception as exc:   # the pool itself broke, e.g. a worker process was killed
        reason = _describe(exc).splitlines()[0]
        for index in sorted(pending):
            yield Outcome(index, False, error=f"{NOT_RUN}: the worker processes stopped ({reason}); "
                                              "run again to resume")


def _run_dask(task: _Task, tasks, shared: dict, client) -> Iterator[Outcome]:
    """Run on a Dask cluster.

    A task cancelled without being asked to (a worker died with the data it
    needed, or the scheduler's connection was lost) is submitted once more,
    the shared data scattered again if it was lost, before it counts as not
    run.
    """
    from distributed import as_completed

    def scatter():
        # one opaque piece each: Dask would serialise a list or a dict element by element
        return {k: client.scatter([Shared(v)], broadcast=True, hash=False)[0]
                for k, v in shared.items()}

    scattered = scatter()
    futures = client.map(task, range(len(tasks)), list(tasks), pure=False, **scattered)
    index_of = {future.key: i for i, future in enumerate(futures)}
    resubmitted: set[int] = set()
    try:
        # bound to this client's loop: it need not be the default client (set_as_default=False,
        # as `sitrex --dask` makes it)
        running = as_completed(futures, loop=client.loop)
        for future in running:
            index = index_of[future.key]
            if future.status == "finished":
                yield future.result()
            elif future.status == "cancelled" and index not in resubmitted:
                resubmitted.add(index)
                if any(f.status != "finished" for f in scattered.values()):
                    scattered = scatter()       # the shared data died with a worker
                again = client.submit(task, index, tasks[index], pure=False, **scattered)
                index_of[again.key] = index
                futures.append(again)
                running.add(again)
            else:   # the task never returned: its worker died too often, or it was cancelled
                exc = future.exception() if future.status == "error" else None
                reason = _describe(exc) if exc is not None else f"task {future.status}"
                yield Outcome(index, False, error=f"{NOT_RUN}: {reason}")
    finally:
        client.cancel([f for f in futures if not f.done()])

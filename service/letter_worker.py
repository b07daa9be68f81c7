"""The letter worker (issue 13): renders the letters approvals planned, after their commit.

Inside ``housing-benefit serve`` it is a background thread polling every few seconds; for cron,
``housing-benefit letters work`` runs one pass and prints what it did. Both call
``service.workflows.letters.work_letters``, which takes each letter in its own transaction, then renders
the 支払明細書 due since an export (``service.workflows.payments.statements.work_statements``, in chunks).
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from service.workflows.letters import warm_up_fonts, work_letters

LOG = logging.getLogger("housing_benefit.letters")

POLL_SECONDS = 2.0


class LetterWorker:
    """A daemon thread running :func:`work_letters` until stopped."""

    def __init__(self, session_factory: Any, *, clock: Any = None, poll_seconds: float = POLL_SECONDS) -> None:
        self._session_factory = session_factory
        self._clock = clock
        self._poll_seconds = poll_seconds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="letter-worker", daemon=True)

    def start(self) -> LetterWorker:
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._thread.join(timeout)

    def _run(self) -> None:
        try:
            LOG.info("letters: fonts prepared in %.1f s", warm_up_fonts())
        except Exception:  # a letter will fail visibly in the outbox; the worker still runs
            LOG.exception("the letter worker could not prepare its fonts")
        while not self._stop.is_set():
            try:
                counts = work_letters(self._session_factory, clock=self._clock)
                if counts["issued"] or counts["failed"] or counts.get("statements_stored") \
                        or counts.get("statements_failed"):
                    LOG.info("letters: %s", counts)
            except Exception:  # the database may be down for a while: log, wait, try again
                LOG.exception("the letter worker's pass failed; retrying in %.0f s", self._poll_seconds)
            self._stop.wait(self._poll_seconds)


def start_for_app(app: Any, *, poll_seconds: float = POLL_SECONDS) -> LetterWorker:
    """Start a worker on the app's database and office clock (``serve``)."""
    worker = LetterWorker(app.state.session_factory, clock=getattr(app.state, "office_clock", None),
                          poll_seconds=poll_seconds).start()
    app.state.letter_worker = worker
    return worker

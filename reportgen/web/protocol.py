"""uvicorn's HTTP/1.1 protocol with deadlines for slow and idle clients.

uvicorn's ``H11Protocol`` only times out a keep-alive connection that is idle *between*
requests. A client may otherwise take as long as it likes to send a request head (a
"slowloris" connection sending one header byte every few seconds is held forever) or
stop in the middle of a body. :class:`GuardedH11Protocol` closes the connection when

- the request head is not complete ``header_timeout`` seconds (default 10) after the
  connection was made or the previous response was sent;
- a request body is being received and nothing arrives for ``body_timeout`` seconds
  (default 30); time during which the server itself has paused reading (the application
  is busy writing what it received) does not count;
- the response was sent before the request body was read to its end (a refusal such as
  413) and the client is still sending ``drain_timeout`` seconds (default 5) later: the
  rest of the body is not worth reading, and the client has had time to read the answer.

uvicorn's keep-alive timeout between requests is kept as it is. Use it with
``uvicorn.run(app, http=GuardedH11Protocol)`` or, with other deadlines,
``http=GuardedH11Protocol.with_timeouts(header=2, body=2)``.
"""

from __future__ import annotations

import asyncio

import h11
from uvicorn.protocols.http.flow_control import FlowControl
from uvicorn.protocols.http.h11_impl import H11Protocol

HEAD, BODY, DRAIN = "head", "body", "drain"


class _StampedFlow(FlowControl):
    """uvicorn's flow control, remembering when reading was last resumed."""

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop):
        super().__init__(transport)
        self._loop = loop
        self.resumed_at = loop.time()

    def resume_reading(self) -> None:
        if self.read_paused:
            self.resumed_at = self._loop.time()
        super().resume_reading()


class GuardedH11Protocol(H11Protocol):
    """``H11Protocol`` plus the header, body-idle and drain deadlines (seconds)."""

    header_timeout: float = 10.0
    body_timeout: float = 30.0
    drain_timeout: float = 5.0

    @classmethod
    def with_timeouts(
        cls, header: float | None = None, body: float | None = None, drain: float | None = None
    ) -> type[GuardedH11Protocol]:
        """A subclass with other deadlines (``None`` keeps the default)."""
        settings = {
            "header_timeout": cls.header_timeout if header is None else float(header),
            "body_timeout": cls.body_timeout if body is None else float(body),
            "drain_timeout": cls.drain_timeout if drain is None else float(drain),
        }
        if min(settings.values()) <= 0:
            raise ValueError(f"timeouts must be positive: {settings}")
        return type(cls.__name__, (cls,), settings)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._guard: asyncio.TimerHandle | None = None
        self._phase: str | None = None
        self._last_data = 0.0

    # --- uvicorn's hooks ---------------------------------------------------------------

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self.flow = _StampedFlow(transport, self.loop)
        self._last_data = self.loop.time()
        self._watch()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        self._phase = None
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        self._last_data = self.loop.time()
        super().data_received(data)
        self._watch()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._watch()

    def handle_websocket_upgrade(self, event: h11.Request) -> None:
        self._disarm()
        self._phase = None
        super().handle_websocket_upgrade(event)

    # --- the deadlines -----------------------------------------------------------------

    def _current_phase(self) -> str | None:
        """What the connection waits for from the client, if anything."""
        if self.transport is None or self.transport.is_closing():
            return None
        theirs, ours = self.conn.their_state, self.conn.our_state
        if theirs is h11.IDLE:
            return HEAD
        if theirs is h11.SEND_BODY:
            return DRAIN if ours in (h11.DONE, h11.MUST_CLOSE, h11.CLOSED) else BODY
        return None  # the whole request is in: the application is working on it

    def _watch(self) -> None:
        """Start the deadline of a phase when it begins (a head's and a drain's deadline
        run from their start; the body's is checked against the last data received)."""
        phase = self._current_phase()
        if phase == self._phase:
            return
        self._disarm()
        self._phase = phase
        if phase == HEAD:
            self._arm(self.header_timeout)
        elif phase == BODY:
            self._arm(self.body_timeout)
        elif phase == DRAIN:
            self._arm(self.drain_timeout)

    def _arm(self, delay: float) -> None:
        self._guard = self.loop.call_later(max(delay, 0.01), self._expired)

    def _disarm(self) -> None:
        if self._guard is not None:
            self._guard.cancel()
            self._guard = None

    def _expired(self) -> None:
        self._guard = None
        if self._current_phase() != self._phase or self._phase is None:
            self._phase = None
            self._watch()
            return
        if self._phase == BODY:
            if self.flow.read_paused:  # we are not reading: not the client's delay
                self._arm(self.body_timeout)
                return
            quiet_since = max(self._last_data, getattr(self.flow, "resumed_at", 0.0))
            left = quiet_since + self.body_timeout - self.loop.time()
            if left > 0:
                self._arm(left)
                return
        self.logger.info(
            "%sclosing the connection: %s",
            f"{self.client[0]}:{self.client[1]} - " if self.client else "",
            {
                HEAD: f"request head not complete in {self.header_timeout:g} s",
                BODY: f"nothing received for {self.body_timeout:g} s while reading a body",
                DRAIN: f"body still arriving {self.drain_timeout:g} s after the response",
            }[self._phase],
        )
        self._phase = None
        self.transport.close()

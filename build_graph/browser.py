"""One headless Chromium for several screenshots, driven over the DevTools protocol on a pipe
(``--remote-debugging-pipe``: JSON messages, each ended by a NUL byte, read by Chromium from its
fd 3 and written to its fd 4). Starting a browser costs ≈ 1.3 s of CPU on a 2-core machine, a
build's three screenshots took three; here they are pages (tabs) of one browser, and may be
taken at the same time from several threads.

A page is shot as ``chromium --screenshot --virtual-time-budget`` shoots it: once it has
loaded, its clock runs in virtual time (paused while a file is loading) for a budget of virtual
milliseconds, then the viewport is captured. The network is blocked as for every Chromium the
tool starts (:data:`views.CHROMIUM_FLAGS`)."""
from __future__ import annotations

import base64
import fcntl
import json
import os
import signal
import threading
import time
from concurrent.futures import Future
from pathlib import Path

from .views import CHROMIUM_FLAGS, chromium


def _above_4(fd: int) -> int:
    """The same pipe end on a descriptor above 4, so that putting one end on 3 or 4 in the child
    never overwrites the other before it is placed; the original is closed."""
    moved = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 5)
    os.close(fd)
    return moved


class BrowserError(Exception):
    """Chromium answered a command with an error, or went away."""


class Browser:
    """A headless Chromium (process ``pid``) with its profile in ``profile`` (a folder of its
    own) and pages of ``window`` px (width, height); :meth:`close` ends it. ``timeout`` (s): the
    longest wait for any answer, for a page to load, and for its time budget."""

    def __init__(self, profile: Path, window: tuple[int, int] = (1400, 1000), timeout: float = 90):
        self.timeout = timeout
        theirs_in, ours_out = os.pipe()   # commands: we write, Chromium reads as fd 3
        ours_in, theirs_out = os.pipe()   # answers and events: Chromium writes as fd 4
        theirs_in, theirs_out = (_above_4(fd) for fd in (theirs_in, theirs_out))
        # posix_spawn puts the pipes on fds 3 and 4 with no code of ours running in the child
        # (this process has threads); every other descriptor is close-on-exec
        self.window = window
        command = [chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--remote-debugging-pipe",
                   "about:blank"]
        self.pid = os.posix_spawn(command[0], command, os.environ, file_actions=[
            (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
            (os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0),
            (os.POSIX_SPAWN_OPEN, 2, os.devnull, os.O_WRONLY, 0),
            (os.POSIX_SPAWN_DUP2, theirs_in, 3), (os.POSIX_SPAWN_DUP2, theirs_out, 4)])
        os.close(theirs_in)
        os.close(theirs_out)
        self._commands = os.fdopen(ours_out, "wb", buffering=0)
        self._answers = os.fdopen(ours_in, "rb")
        self._lock = threading.Lock()
        self._next_id = 0
        self._waiting: dict[int, Future] = {}                    # answers by command id
        self._expected: dict[tuple[str, str], Future] = {}       # events by (session, method)
        self._gone = False
        self._reader = threading.Thread(target=self._read, name="chromium-devtools", daemon=True)
        self._reader.start()

    def _read(self) -> None:
        buffer = b""
        while chunk := self._answers.read1(1 << 16):
            buffer += chunk
            *messages, buffer = buffer.split(b"\0")
            for raw in messages:
                message = json.loads(raw)
                with self._lock:
                    if "id" in message:
                        future = self._waiting.pop(message["id"], None)
                    else:
                        future = self._expected.pop((message.get("sessionId", ""), message.get("method")), None)
                if future is None:
                    continue
                if "error" in message:
                    future.set_exception(BrowserError(message["error"].get("message", str(message["error"]))))
                else:
                    future.set_result(message.get("result", message.get("params", {})))
        with self._lock:  # Chromium went away: nothing more will be answered
            self._gone = True
            pending = list(self._waiting.values()) + list(self._expected.values())
            self._waiting.clear()
            self._expected.clear()
        for future in pending:
            future.set_exception(BrowserError("Chromium exited"))

    def expect(self, method: str, session: str = "") -> Future:
        """A future for the next event ``method`` of ``session`` (its params)."""
        future: Future = Future()
        with self._lock:
            if self._gone:
                future.set_exception(BrowserError("Chromium exited"))
            else:
                self._expected[(session, method)] = future
        return future

    def call(self, method: str, session: str = "", **params) -> dict:
        """Send a command (to ``session``'s page, or to the browser) and wait for its result."""
        future: Future = Future()
        with self._lock:
            if self._gone:
                raise BrowserError("Chromium exited")
            self._next_id += 1
            message = {"id": self._next_id, "method": method, "params": params}
            if session:
                message["sessionId"] = session
            try:
                self._commands.write(json.dumps(message).encode() + b"\0")
            except OSError as error:  # its end of the pipe is closed: it has exited
                raise BrowserError(f"Chromium exited ({error})") from error
            self._waiting[self._next_id] = future
        return future.result(self.timeout)

    def screenshot(self, page: Path, png: Path, budget_ms: int = 8000) -> None:
        """A PNG of the local ``page`` (``window`` px) after ``budget_ms`` of its virtual time,
        written to ``png`` (whole or not at all)."""
        url = page.resolve().as_uri()
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        try:
            session = self.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
            width, height = self.window
            self.call("Emulation.setDeviceMetricsOverride", session, width=width, height=height,
                      deviceScaleFactor=1, mobile=False)
            self.call("Page.navigate", session, url=url)
            # loaded: asked, not awaited as an event (about:blank's own load may come after we
            # start listening)
            deadline = time.monotonic() + self.timeout
            loaded = f"document.readyState === 'complete' && location.href === {json.dumps(url)}"
            while not self.call("Runtime.evaluate", session, expression=loaded,
                                returnByValue=True)["result"].get("value"):
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{page} did not load")
                time.sleep(0.02)
            expired = self.expect("Emulation.virtualTimeBudgetExpired", session)
            self.call("Emulation.setVirtualTimePolicy", session, policy="pauseIfNetworkFetchesPending",
                      budget=budget_ms)
            expired.result(self.timeout)
            data = base64.b64decode(self.call("Page.captureScreenshot", session, format="png")["data"])
        finally:
            if not self._gone:
                self.call("Target.closeTarget", targetId=target)
        partial = png.with_name(f".{png.name}.partial")
        partial.write_bytes(data)
        partial.replace(png)

    def close(self) -> None:
        """End the browser (asked to close, killed if it does not within seconds)."""
        try:
            if not self._gone:
                self._commands.write(json.dumps({"id": 0, "method": "Browser.close", "params": {}}).encode() + b"\0")
        except OSError:
            pass
        deadline = time.monotonic() + 10
        while os.waitpid(self.pid, os.WNOHANG) == (0, 0):
            if time.monotonic() > deadline:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
                break
            time.sleep(0.05)
        self._commands.close()
        self._reader.join(10)
        self._answers.close()

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

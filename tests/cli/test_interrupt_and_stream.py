"""The CLI run as a person runs it: a separate ``python -m venuekit`` process against a sandbox
served on 127.0.0.1 whose requests for chosen orders are held (so the batch is mid-way for as
long as the test needs, without timing). Lines must appear while the batch is still running;
Ctrl-C typed into a real pseudo-terminal must print every order's fate and exit 130; the
re-run flag then finishes the job."""

from __future__ import annotations

import fcntl
import os
import queue
import re
import subprocess
import sys
import termios
import threading
from pathlib import Path
from typing import Any

import pytest

from venuekit.sandbox import RunningSandbox

#: Generous bounds so a broken CLI fails the test instead of hanging it (not timing checks).
WAIT = 60.0
LINE = re.compile(
    r"^(?P<status>ok|done|FAILED|UNKNOWN|NOTSENT) +line (?P<line>\d+) (?P<venue>[a-z_]+) "
)


def write_csv(path: Path, rows: list[tuple[str, str]]) -> None:
    """Rows of (venue, id): exchange ids go in order_id, loopring hashes in order_hash."""
    lines = ["venue,order_id,order_hash"]
    for venue, order in rows:
        lines.append(f"{venue},{order}," if venue != "loopring" else f"{venue},,{order}")
    path.write_text("\n".join(lines) + "\n")


def test_each_line_is_printed_while_the_batch_still_runs(
    holding: tuple[RunningSandbox, Any], kit: Any, tmp_path: Path
) -> None:
    sandbox, app = holding
    ex, ring = sandbox.state.exchange_orders(), sandbox.state.loopring_orders()
    app.held.add(ring[0].hash)  # this one waits until released
    path = tmp_path / "orders.csv"
    write_csv(path, [("loopring", ring[0].hash)] + [("coinbase_exchange", o.id) for o in ex[:3]])

    child = kit.start("cancel-many", str(path), "--concurrency", "1", *kit.base_urls(sandbox))
    lines: queue.Queue[str] = queue.Queue()
    reader = threading.Thread(target=lambda: [lines.put(text) for text in child.stdout])
    reader.start()
    with child:
        try:
            early = [lines.get(timeout=WAIT) for _ in range(3)]
            # Three lines are out while the first order of the file is still held:
            assert child.poll() is None
            assert sandbox.state.loopring_orders()[0].status == "open"
            assert all(text.startswith("ok      line ") for text in early)
            numbers = sorted(int(m["line"]) for m in map(LINE.match, early) if m)
            assert numbers == [3, 4, 5]
            app.release()
            last = lines.get(timeout=WAIT)
            assert last.startswith("ok      line 2 loopring ")
            assert child.wait(timeout=WAIT) == 0
        finally:
            app.release()
            if child.poll() is None:
                child.kill()
            reader.join()
        err = child.stderr.read()
    assert "4 of 4 cancelled" in err
    kit.assert_no_secret(err, *early, last)


#: Run in the child before venuekit: take the pseudo-terminal on fd 0 as the controlling
#: terminal (what a terminal emulator does for its shell), so ^C typed into it sends SIGINT.
BOOT = (
    "import fcntl, os, sys, termios;"
    "fcntl.ioctl(0, termios.TIOCSCTTY, 0);"
    "os.execv(sys.executable, [sys.executable, '-m', 'venuekit', *sys.argv[1:]])"
)


class Terminal:
    """A child process on a real pseudo-terminal: read its screen, type into it."""

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        self.master, slave = os.openpty()
        self.child = subprocess.Popen(
            [sys.executable, "-c", BOOT, *argv],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env={**env, "TERM": "dumb"},
            start_new_session=True,
        )
        self.slave: int | None = slave  # kept to see what the child has read (FIONREAD)
        self.chunks: queue.Queue[bytes] = queue.Queue()
        self.screen = b""
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while True:
            try:
                data = os.read(self.master, 4096)
            except OSError:  # EIO: the child closed the terminal
                data = b""
            self.chunks.put(data)
            if not data:
                return

    def wait_for(self, pattern: str, count: int = 1) -> None:
        """Read the screen until ``pattern`` has appeared ``count`` times."""
        while len(re.findall(pattern, self.screen.decode(errors="replace"))) < count:
            data = self.chunks.get(timeout=WAIT)
            assert data, f"the program ended early:\n{self.screen.decode(errors='replace')}"
            self.screen += data

    def type(self, data: bytes) -> None:
        os.write(self.master, data)

    def wait_until_read(self) -> None:
        """Wait until the child has read everything typed so far (it is at its input)."""
        assert self.slave is not None
        for _ in range(int(WAIT / 0.01)):
            waiting = fcntl.ioctl(self.slave, termios.FIONREAD, b"\0\0\0\0")
            if int.from_bytes(waiting, sys.byteorder) == 0:
                return
            threading.Event().wait(0.01)
        raise AssertionError("the program never read its input")

    def _release_slave(self) -> None:
        if self.slave is not None:
            os.close(self.slave)
            self.slave = None

    def finish(self) -> tuple[int, list[str]]:
        """Read to the end; the exit code and the screen's lines (progress bar redraws removed)."""
        self._release_slave()  # else the master never sees the end
        while (data := self.chunks.get(timeout=WAIT)) != b"":
            self.screen += data
        code = self.child.wait(timeout=WAIT)
        os.close(self.master)
        lines = []
        for raw in self.screen.decode(errors="replace").split("\n"):
            text = raw.rstrip("\r").split("\r")[-1].strip()
            if text:
                lines.append(text)
        return code, lines

    def close(self) -> None:
        self._release_slave()
        if self.child.poll() is None:
            self.child.kill()
            self.child.wait()


def test_ctrl_c_in_a_terminal_prints_every_fate_then_the_rerun_flag_finishes(
    holding: tuple[RunningSandbox, Any], kit: Any, tmp_path: Path
) -> None:
    sandbox, app = holding
    ex, ring = sandbox.state.exchange_orders(), sandbox.state.loopring_orders()
    app.held.add(ex[1].id)  # the second Exchange order hangs at the venue: mid-batch
    path = tmp_path / "orders.csv"
    rows = [("coinbase_exchange", o.id) for o in ex[:6]] + [("loopring", o.hash) for o in ring[:2]]
    write_csv(path, rows)  # lines 2-7: Exchange, lines 8-9: Loopring
    argv = ["cancel-many", str(path), "--concurrency", "1", *kit.base_urls(sandbox)]

    terminal = Terminal(argv, kit.child_env())
    try:
        terminal.wait_for(r"ok +line \d+ ", count=3)  # line 2 and both Loopring orders
        terminal.wait_for(r"\] 3/8")  # the progress bar on the terminal
        assert len(app.waiting) == 1  # line 3's request is at the venue, unanswered
        terminal.type(b"\x03")  # Ctrl-C, as typed
        code, screen = terminal.finish()
    finally:
        terminal.close()

    text = "\n".join(screen)
    assert code == 130, text
    assert "Traceback" not in text
    assert b"^C" in terminal.screen, terminal.screen  # echoed by the terminal: a real one
    fates = {int(m["line"]): m["status"] for m in map(LINE.match, screen) if m}
    assert fates == {
        2: "ok",
        3: "UNKNOWN",
        4: "NOTSENT",
        5: "NOTSENT",
        6: "NOTSENT",
        7: "NOTSENT",
        8: "ok",
        9: "ok",
    }, text
    assert sum(bool(LINE.match(line)) for line in screen) == 8  # each order exactly once
    (unknown,) = [line for line in screen if line.startswith("UNKNOWN")]
    assert "may have reached the venue" in unknown
    assert (
        "venuekit cancel-many: interrupted: 3 of 8 cancelled, 0 not,"
        " 1 in flight (may have reached the venue), 4 never sent"
    ) in text
    assert "--already-done-ok" in text
    kit.assert_no_secret(text)
    # What it printed is what happened at the venue:
    book = {o.id: o.status for o in sandbox.state.exchange_orders()}
    assert [book[o.id] for o in ex[:6]] == ["cancelled"] + ["open"] * 5
    assert all(o.status == "cancelled" for o in sandbox.state.loopring_orders()[:2])

    # Re-run the same file: without the flag the orders already cancelled fail (exit 1) ...
    app.release()
    app.held.clear()
    done = subprocess.run(
        [sys.executable, "-m", "venuekit", *argv, "--already-done-ok"],
        env=kit.child_env(),
        capture_output=True,
        text=True,
        timeout=WAIT,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    statuses = {int(m["line"]): m["status"] for m in map(LINE.match, done.stdout.splitlines()) if m}
    assert statuses[2] == statuses[8] == statuses[9] == "done"
    assert statuses[3] in {"ok", "done"}  # the held request went on once released
    assert [statuses[n] for n in (4, 5, 6, 7)] == ["ok"] * 4
    assert "already done or not found (counted as done)" in done.stderr
    assert all(o.status == "cancelled" for o in sandbox.state.exchange_orders()[:6])

    again = subprocess.run(
        [sys.executable, "-m", "venuekit", *argv],
        env=kit.child_env(),
        capture_output=True,
        text=True,
        timeout=WAIT,
        check=False,
    )
    assert again.returncode == 1
    assert again.stdout.count("FAILED  line ") == 8
    assert "OrderAlreadyDone" in again.stdout


@pytest.mark.parametrize("flag", [[], ["--already-done-ok"]])
def test_the_rerun_flag_on_a_single_cancel(
    served: RunningSandbox, kit: Any, capsys: Any, flag: list[str]
) -> None:
    from venuekit import _cli

    order = served.state.exchange_orders()[3]
    argv = ["cancel", "--venue", "coinbase_exchange", "--order-id", order.id]
    assert _cli.main([*argv, *kit.base_urls(served)]) == 0
    capsys.readouterr()
    code = _cli.main([*argv, *flag, *kit.base_urls(served)])
    out = capsys.readouterr().out
    if flag:
        assert code == 0
        assert out.startswith("done    coinbase_exchange ")
    else:
        assert code == 1
        assert out.startswith("FAILED  coinbase_exchange ")
    assert "OrderAlreadyDone" in out


def test_ctrl_c_before_anything_is_sent_exits_130(kit: Any, tmp_path: Path) -> None:
    """Interrupted while reading standard input: nothing was sent, no traceback."""
    terminal = Terminal(["cancel-many", "-"], kit.child_env())
    try:
        terminal.type(b"venue,order_hash\n")
        terminal.wait_for("venue,order_hash")  # echoed: the terminal has taken the line
        terminal.wait_until_read()  # and the program has read it: it is past start-up
        terminal.type(b"\x03")
        code, screen = terminal.finish()
    finally:
        terminal.close()
    text = "\n".join(screen)
    assert code == 130, text
    assert "Traceback" not in text
    assert "nothing was sent" in text


def test_batch_deadline_reports_the_orders_never_sent(
    holding: tuple[RunningSandbox, Any], kit: Any, tmp_path: Path
) -> None:
    sandbox, app = holding
    ex = sandbox.state.exchange_orders()
    app.held.add(ex[1].id)  # holds the only worker past the batch deadline
    path = tmp_path / "orders.csv"
    write_csv(path, [("coinbase_exchange", o.id) for o in ex[:6]])
    argv = ["--concurrency", "1", "--batch-deadline", "0.5", "--deadline", "3", "--attempts", "1"]
    with kit.start("cancel-many", str(path), *argv, *kit.base_urls(sandbox)) as child:
        out, err = child.communicate(timeout=WAIT)
    assert child.returncode == 1, out + err
    statuses = {int(m["line"]): m["status"] for m in map(LINE.match, out.splitlines()) if m}
    assert len(statuses) == 6
    assert [statuses[n] for n in (4, 5, 6, 7)] == ["NOTSENT"] * 4
    assert "4 never sent" in err or "5 never sent" in err
    assert all(o.status == "open" for o in sandbox.state.exchange_orders()[2:6])


def test_a_reader_that_goes_away_does_not_stop_the_batch(
    served: RunningSandbox, kit: Any, tmp_path: Path
) -> None:
    """Like ``venuekit cancel-many FILE | head -1`` once ``head`` has gone: stdout is a pipe
    nobody reads (its read end is closed first, so every write fails): every order is still
    cancelled, the summary is printed, no traceback, exit 0."""
    orders = served.state.exchange_orders()
    path = tmp_path / "orders.csv"
    write_csv(path, [("coinbase_exchange", o.id) for o in orders])
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        with kit.start("cancel-many", str(path), *kit.base_urls(served), stdout=write_end) as child:
            _, err = child.communicate(timeout=WAIT)
    finally:
        os.close(write_end)
    assert child.returncode == 0, err
    assert "Traceback" not in err
    assert "BrokenPipe" not in err
    assert "5 of 5 cancelled" in err
    assert all(o.status == "cancelled" for o in served.state.exchange_orders())


def test_ctrl_c_during_a_single_cancel(holding: tuple[RunningSandbox, Any], kit: Any) -> None:
    sandbox, app = holding
    order = sandbox.state.exchange_orders()[0]
    app.held.add(order.id)
    argv = ["cancel", "--venue", "coinbase_exchange", "--order-id", order.id]
    terminal = Terminal([*argv, *kit.base_urls(sandbox)], kit.child_env())
    try:
        for _ in range(int(WAIT / 0.01)):  # until its request is at the venue, unanswered
            if app.waiting:
                break
            threading.Event().wait(0.01)
        assert app.waiting
        terminal.type(b"\x03")
        code, screen = terminal.finish()
    finally:
        terminal.close()
    text = "\n".join(screen)
    assert code == 130, text
    assert "Traceback" not in text
    assert (
        f"UNKNOWN coinbase_exchange order_id={order.id}: in flight when interrupted:"
        " may have reached the venue"
    ) in text
    assert "interrupted: 0 of 1 cancelled, 0 not, 1 in flight" in text

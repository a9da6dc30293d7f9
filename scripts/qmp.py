#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Send one QMP command to a running QEMU.

    qmp.py SOCKET COMMAND [JSON-ARGUMENTS]

Connects to QEMU's QMP unix socket, reads the greeting, negotiates with
qmp_capabilities, sends COMMAND (with the JSON object ARGUMENTS, if any) and
prints QEMU's reply as one JSON line. Asynchronous events are skipped. Exits
0 on a "return", 1 on an "error" reply, 2 on bad usage, 3 when QEMU cannot be
reached or does not answer within the timeout (QMP_TIMEOUT seconds, default
5). Python standard library only.
"""
import json
import os
import re
import socket
import sys
import time

COMMAND_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")


class QMPError(Exception):
    pass


class QMP:
    def __init__(self, path, timeout):
        self.deadline = time.monotonic() + timeout
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.sock.connect(path)
        self.buf = b""

    def _recv_line(self):
        while b"\n" not in self.buf:
            left = self.deadline - time.monotonic()
            if left <= 0:
                raise QMPError("timed out")
            self.sock.settimeout(left)
            chunk = self.sock.recv(4096)
            if not chunk:
                raise QMPError("QEMU closed the connection")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def reply(self):
        """The next message that is not an event."""
        while True:
            msg = self._recv_line()
            if "event" not in msg:
                return msg

    def execute(self, command, arguments=None):
        req = {"execute": command}
        if arguments:
            req["arguments"] = arguments
        self.sock.sendall(json.dumps(req).encode() + b"\n")
        return self.reply()


def main(argv):
    if len(argv) not in (3, 4) or not COMMAND_RE.match(argv[2]):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    arguments = None
    if len(argv) == 4:
        try:
            arguments = json.loads(argv[3])
        except ValueError as e:
            print(f"qmp.py: arguments are not JSON: {e}", file=sys.stderr)
            return 2
        if not isinstance(arguments, dict):
            print("qmp.py: arguments must be a JSON object", file=sys.stderr)
            return 2
    timeout = float(os.environ.get("QMP_TIMEOUT", "5"))
    try:
        qmp = QMP(argv[1], timeout)
        greeting = qmp._recv_line()
        if "QMP" not in greeting:
            raise QMPError(f"not a QMP greeting: {greeting}")
        caps = qmp.execute("qmp_capabilities")
        if "return" not in caps:
            raise QMPError(f"qmp_capabilities refused: {caps}")
        reply = qmp.execute(argv[2], arguments)
    except (OSError, ValueError, QMPError) as e:
        print(f"qmp.py: {argv[2]}: {e}", file=sys.stderr)
        return 3
    print(json.dumps(reply))
    return 0 if "return" in reply else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))

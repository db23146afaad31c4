#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Hostile clients for bench/load.sh (issue 15): keeps an attack on `leakhound serve` going
until it is killed or --seconds pass, reopening every connection the server closes.

  attack.py slowloris PORT [--conns 1000] [--addresses 100]
      each connection sends a partner request line, then one header line every 3 s
  attack.py bodyflood PORT --key-id ID [--conns 950] [--addresses 100] [--body 999000]
      each connection declares a 1,000,000-byte body with a bogus signature (half name an
      unknown key, half the real key ID), sends --body bytes of it and goes idle

Connections come from 127.0.0.2 .. 127.0.0.(1 + addresses), as from many clients, so the
per-address limit (64) does not stop them and what is measured is the deadlines, the slot
eviction and the body budget. On exit (SIGTERM/SIGINT) it prints one line:
ATTACK_RESULT kind=... opened=... closed_by_server=...
"""
import argparse
import selectors
import signal
import socket
import sys
import time

stop = False


def on_signal(signum, frame):
    global stop
    stop = True


class Conn:
    def __init__(self, i, head, body):
        self.i = i
        self.head = head
        self.body = body
        self.sock = None
        self.out = b""
        self.off = 0  # bytes of the shared body sent
        self.next_line = 0.0
        self.lines = 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("kind", choices=["slowloris", "bodyflood"])
    ap.add_argument("port", type=int)
    ap.add_argument("--conns", type=int, default=0)
    ap.add_argument("--addresses", type=int, default=100)
    ap.add_argument("--key-id", default="0" * 64)
    ap.add_argument("--body", type=int, default=999000)
    ap.add_argument("--seconds", type=float, default=0)
    a = ap.parse_args()
    conns = a.conns or (1000 if a.kind == "slowloris" else 950)
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    sel = selectors.DefaultSelector()
    opened = closed = 0
    filler = memoryview(b"[" * a.body)  # shared by every connection

    def head_of(i):
        if a.kind == "slowloris":
            return b"POST /github/secret-scanning HTTP/1.1\r\nHost: x\r\n"
        kid = a.key_id if i % 2 == 0 else "%064d" % i
        return ("POST /github/secret-scanning HTTP/1.1\r\nHost: x\r\n"
                "Github-Public-Key-Identifier: %s\r\nGithub-Public-Key-Signature: AAAA\r\n"
                "Content-Type: application/json\r\nContent-Length: 1000000\r\n\r\n"
                % kid).encode()

    def open_conn(c):
        nonlocal opened
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setblocking(False)
        s.bind(("127.0.0.%d" % (2 + c.i % a.addresses), 0))
        try:
            s.connect(("127.0.0.1", a.port))
        except BlockingIOError:
            pass
        c.sock = s
        c.out = c.head
        c.off = 0 if a.kind == "bodyflood" else len(filler)
        c.next_line = time.monotonic() + 3
        c.lines = 0
        sel.register(s, selectors.EVENT_READ | selectors.EVENT_WRITE, c)
        opened += 1

    def reopen(c):
        nonlocal closed
        sel.unregister(c.sock)
        c.sock.close()
        closed += 1
        if not stop:
            open_conn(c)

    all_conns = [Conn(i, head_of(i), None) for i in range(conns)]
    for c in all_conns:
        open_conn(c)
    end = time.monotonic() + a.seconds if a.seconds else None
    while not stop and (end is None or time.monotonic() < end):
        now = time.monotonic()
        for key, ev in sel.select(timeout=0.2):
            c = key.data
            if ev & selectors.EVENT_READ:
                try:
                    data = c.sock.recv(65536)
                except (ConnectionError, OSError):
                    data = b""
                if not data:  # the server closed it (or answered and closed): come back
                    reopen(c)
                    continue
            if ev & selectors.EVENT_WRITE:
                try:
                    if c.out:
                        c.out = c.out[c.sock.send(c.out):]
                    elif c.off < len(filler):
                        c.off += c.sock.send(filler[c.off:])
                except BlockingIOError:
                    pass
                except (ConnectionError, OSError):
                    reopen(c)
                    continue
                if not c.out and c.off >= len(filler):
                    sel.modify(c.sock, selectors.EVENT_READ, c)
        if a.kind == "slowloris":
            for c in all_conns:
                if now >= c.next_line:
                    c.next_line = now + 3
                    c.lines += 1
                    try:
                        c.sock.send(b"X-Slow-%d: y\r\n" % c.lines)
                    except (BlockingIOError, ConnectionError, OSError):
                        reopen(c)
    print("ATTACK_RESULT kind=%s conns=%d opened=%d closed_by_server=%d"
          % (a.kind, conns, opened, closed), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

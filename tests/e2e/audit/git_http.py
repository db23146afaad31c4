#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A git smart-HTTP server for the audit tests: `git http-backend` behind a small CGI handler.

usage: git_http.py ROOT PORTFILE AUTHLOG [USER:PASSWORD]

Serves the bare repositories under ROOT on 127.0.0.1 (a free port, written to PORTFILE once
listening). With USER:PASSWORD every request needs that HTTP Basic credential (401 with a
WWW-Authenticate challenge otherwise, as GitHub does for private repositories). Each
Authorization header received is appended to AUTHLOG, so a test can check that a credential
reached the server. Unknown repositories get 404 from http-backend.
"""
import base64
import http.server
import os
import socketserver
import subprocess
import sys


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def log_message(self, fmt, *args):
        pass

    def authorised(self):
        want = self.server.credential
        got = self.headers.get("Authorization")
        if got:
            with open(self.server.authlog, "a") as f:
                f.write(got + "\n")
        if not want:
            return True
        expect = "Basic " + base64.b64encode(want.encode()).decode()
        if got == expect:
            return True
        self.send_response(401)
        self.send_header("WWW-Authenticate", 'Basic realm="git"')
        self.send_header("Content-Length", "0")
        self.end_headers()
        return False

    def run_backend(self):
        if not self.authorised():
            return
        path, _, query = self.path.partition("?")
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "GIT_PROJECT_ROOT": self.server.root,
            "GIT_HTTP_EXPORT_ALL": "1",
            "REQUEST_METHOD": self.command,
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "CONTENT_TYPE": self.headers.get("Content-Type", ""),
            "CONTENT_LENGTH": str(len(body)),
            "REMOTE_ADDR": "127.0.0.1",
            "GIT_CONFIG_NOSYSTEM": "1",
            "HOME": self.server.root,
        }
        if self.headers.get("Content-Encoding"):
            env["HTTP_CONTENT_ENCODING"] = self.headers["Content-Encoding"]
        if self.headers.get("Git-Protocol"):
            env["GIT_PROTOCOL"] = self.headers["Git-Protocol"]
        p = subprocess.run(["git", "http-backend"], input=body, env=env, capture_output=True)
        head, _, payload = p.stdout.partition(b"\r\n\r\n")
        if not _:
            head, _, payload = p.stdout.partition(b"\n\n")
        status = 200
        headers = []
        for line in head.decode("latin-1").splitlines():
            if not line:
                continue
            k, _, v = line.partition(":")
            if k.lower() == "status":
                status = int(v.strip().split()[0])
            else:
                headers.append((k, v.strip()))
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = run_backend
    do_POST = run_backend


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


def main():
    root, portfile, authlog = sys.argv[1:4]
    srv = Server(("127.0.0.1", 0), Handler)
    srv.root = root
    srv.authlog = authlog
    srv.credential = sys.argv[4] if len(sys.argv) > 4 else None
    tmp = portfile + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(srv.server_address[1]))
    os.rename(tmp, portfile)
    print("listening", flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""GitHub- and GitLab-shaped REST API and a git smart-HTTP server on 127.0.0.1, for the org tests.

Usage: apiserver.py STATE_DIR [GIT_ROOT]

Binds an ephemeral port, writes "port N" to stdout (flushed) and serves until killed:

  /<scenario>/orgs/<org>/repos, /<scenario>/users/<user>/repos          (GitHub, Link rel="next")
  /<scenario>/api/v4/groups/<group>/projects, .../users/<u>/projects    (GitLab; group "grp":
        Link + X-Next-Page, user "bob": X-Next-Page only)
  /git/<repo>.git/...   git http-backend (CGI) over GIT_ROOT, every repository exported

The repositories come from STATE_DIR/repos.json ({"github": {"acme": [...]}, "gitlab": {...}},
each item {"name", "fork", "archived"}); clone URLs point at /git/ of this server. Pages hold
3 items. Every request is appended to STATE_DIR/requests.log as one JSON line (path, the
Authorization header, the time), so a test can check the token and the waits.

Scenarios (the first path segment) inject faults, each once per server unless said:
  ok            nothing
  retry429      page 2 answers 429 with Retry-After: 2 the first time
  retrylong     every request answers 429 with Retry-After: 3600
  reset0        page 1 answers 200 with X-RateLimit-Remaining: 0 and a reset 2 s ahead
  reset403      page 2 answers 403 with X-RateLimit-Remaining: 0 and a reset 2 s ahead, once
  gl429         page 2 answers 429 with RateLimit-Remaining: 0, RateLimit-Reset 2 s ahead, once
  err500        page 2 answers 502 the first two times
  maint503      page 2 answers 503 with Retry-After: 1 the first time
  secondary403  page 2 answers 403 "You have exceeded a secondary rate limit", no headers
  badjson       page 2 is truncated JSON
  notarray      page 1 is a JSON object
  html          page 1 has Content-Type text/html
  huge          page 1 is a 9 MiB JSON array
  offsite       page 1's next link points to another host
  noname        page 2's second item has no name field
"""
import json
import os
import subprocess
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

STATE = sys.argv[1]
GIT_ROOT = sys.argv[2] if len(sys.argv) > 2 else None
PER_PAGE = 3
lock = threading.Lock()
fired = {}


def once(key, times=1):
    with lock:
        n = fired.get(key, 0)
        fired[key] = n + 1
        return n < times


def repos():
    with open(os.path.join(STATE, "repos.json")) as f:
        return json.load(f)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def record(self):
        line = json.dumps({"path": self.path, "auth": self.headers.get("Authorization"),
                           "private_token": self.headers.get("PRIVATE-TOKEN"),
                           "t": time.time(), "method": self.command})
        with lock, open(os.path.join(STATE, "requests.log"), "a") as f:
            f.write(line + "\n")

    def send(self, status, body, ctype="application/json; charset=utf-8", headers=()):
        data = body if isinstance(body, bytes) else body.encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        self.record()
        if self.path.startswith("/git/"):
            return self.git()
        u = urllib.parse.urlsplit(self.path)
        parts = u.path.split("/")
        if len(parts) < 3:
            return self.send(404, '{"message": "Not Found"}')
        scenario = parts[1]
        rest = "/" + "/".join(parts[2:])
        q = urllib.parse.parse_qs(u.query)
        page = int(q.get("page", ["1"])[0])
        base = "http://127.0.0.1:%d" % self.server.server_port
        return self.api(scenario, rest, q, page, base, u)

    def do_POST(self):
        self.record()
        if self.path.startswith("/git/"):
            return self.git()
        self.send(405, '{"message": "no"}')

    # ---- the API ----
    def bearer_user(self, data):
        """The GitHub user whose "token" (repos.json) is this request's bearer token."""
        auth = self.headers.get("Authorization") or ""
        for name, entry in data["github"].items():
            if entry.get("user") and entry.get("token") and auth == "Bearer " + entry["token"]:
                return name
        return None

    def api(self, scenario, rest, q, page, base, u):
        data = repos()
        if rest == "/user":
            me = self.bearer_user(data)
            if not me:
                return self.send(401, '{"message": "Requires authentication"}')
            return self.send(200, json.dumps({"login": me, "id": 7}))
        gh = (rest.startswith("/orgs/") or (rest.startswith("/users/") and rest.endswith("/repos"))
              or rest == "/user/repos")
        segs = rest.split("/")
        items = None
        if rest == "/user/repos":
            # the token's own repositories, private ones included (affiliation=owner)
            owner = self.bearer_user(data)
            if not owner:
                return self.send(401, '{"message": "Requires authentication"}')
            items = data["github"][owner]["repos"]
        elif gh and len(segs) == 4:
            kind, owner = segs[1], urllib.parse.unquote(segs[2])
            table = data["github"]
            if kind == "orgs" and owner in table and not table[owner].get("user"):
                items = table[owner]["repos"]
            elif kind == "users" and owner in table and table[owner].get("user"):
                # GET /users/NAME/repos: public repositories only, whoever asks
                items = [it for it in table[owner]["repos"] if not it.get("private")]
        elif rest.startswith("/api/v4/") and len(segs) == 6 and segs[5] == "projects":
            kind, owner = segs[3], urllib.parse.unquote(segs[4])
            table = data["gitlab"]
            if kind == "groups" and owner in table and not table[owner].get("user"):
                items = table[owner]["repos"]
            elif kind == "users" and owner in table and table[owner].get("user"):
                items = table[owner]["repos"]
        else:
            return self.send(404, '{"message": "Not Found"}')
        if items is None:
            return self.send(404, '{"message": "Not Found"}')
        owner_key = owner
        headers = []
        now = time.time()
        if scenario == "retry429" and page == 2 and once("retry429"):
            return self.send(429, '{"message": "slow down"}', headers=[("Retry-After", "2")])
        if scenario == "retrylong":
            return self.send(429, '{"message": "slow down"}', headers=[("Retry-After", "3600")])
        if scenario == "reset403" and page == 2 and once("reset403"):
            return self.send(403, '{"message": "API rate limit exceeded"}',
                             headers=[("X-RateLimit-Remaining", "0"),
                                      ("X-RateLimit-Reset", str(int(now) + 2))])
        if scenario == "gl429" and page == 2 and once("gl429"):
            return self.send(429, '{"message": "Retry later"}',
                             headers=[("RateLimit-Remaining", "0"),
                                      ("RateLimit-Reset", str(int(now) + 2))])
        if scenario == "maint503" and page == 2 and once("maint503"):
            return self.send(503, '{"message": "maintenance"}', headers=[("Retry-After", "1")])
        if scenario == "secondary403" and page == 2:
            return self.send(403, '{"message": "You have exceeded a secondary rate limit."}')
        if scenario == "err500" and page == 2 and once("err500", 2):
            return self.send(502, "<html>bad gateway</html>", ctype="text/html")
        if scenario == "reset0" and page == 1:
            headers += [("X-RateLimit-Remaining", "0"), ("X-RateLimit-Reset", str(int(now) + 2))]
        if scenario == "html" and page == 1:
            return self.send(200, "<html>login</html>", ctype="text/html; charset=utf-8")
        if scenario == "notarray" and page == 1:
            return self.send(200, '{"message": "an object"}')
        if scenario == "huge" and page == 1:
            return self.send(200, "[" + ",".join(["0"] * (9 * 1024 * 1024 // 2)) + "]")
        if scenario == "badjson" and page == 2:
            return self.send(200, '[{"full_name": "acme/x", "clone_url": "http://')
        pages = max(1, (len(items) + PER_PAGE - 1) // PER_PAGE)
        chunk = items[(page - 1) * PER_PAGE:page * PER_PAGE]
        git = "http://127.0.0.1:%d/git" % self.server.server_port
        out = []
        for it in chunk:
            full = "%s/%s" % (owner_key, it["name"])
            if gh:
                o = {"id": abs(hash(full)) % 100000, "name": it["name"], "full_name": full,
                     "private": bool(it.get("private")), "fork": bool(it.get("fork")),
                     "archived": bool(it.get("archived")), "disabled": False,
                     "clone_url": "%s/%s.git" % (git, full),
                     "html_url": "https://github.example/%s" % full,
                     "default_branch": "main", "owner": {"login": owner_key}}
            else:
                o = {"id": abs(hash(full)) % 100000, "path": it["name"],
                     "path_with_namespace": full, "archived": bool(it.get("archived")),
                     "http_url_to_repo": "%s/%s.git" % (git, full),
                     "ssh_url_to_repo": "git@gitlab.example:%s.git" % full,
                     "default_branch": "main", "empty_repo": False}
                if it.get("fork"):
                    o["forked_from_project"] = {"id": 1, "path_with_namespace": "up/stream"}
            out.append(o)
        if scenario == "noname" and page == 2 and len(out) > 1:
            del out[1]["full_name" if gh else "path_with_namespace"]
        if page < pages:
            query = dict((k, v[0]) for k, v in q.items())
            query["page"] = str(page + 1)
            nxt = "%s%s?%s" % (base, u.path, urllib.parse.urlencode(query))
            if scenario == "offsite":
                nxt = nxt.replace("127.0.0.1", "localhost")
            query["page"] = str(pages)
            last = "%s%s?%s" % (base, u.path, urllib.parse.urlencode(query))
            if gh or owner_key != "bob":
                headers.append(("Link", '<%s>; rel="next", <%s>; rel="last"' % (nxt, last)))
            if not gh:
                headers.append(("X-Next-Page", str(page + 1)))
        elif not gh:
            headers.append(("X-Next-Page", ""))
        if not gh:
            headers += [("X-Page", str(page)), ("X-Total-Pages", str(pages))]
        return self.send(200, json.dumps(out), headers=headers)

    # ---- git smart HTTP through git http-backend (CGI) ----
    def body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            data = b""
            while True:
                size = int(self.rfile.readline().strip().split(b";")[0], 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return data
                data += self.rfile.read(size)
                self.rfile.readline()
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def git(self):
        u = urllib.parse.urlsplit(self.path)
        data = self.body()
        env = dict(os.environ)
        env.update({
            "GIT_PROJECT_ROOT": GIT_ROOT, "GIT_HTTP_EXPORT_ALL": "1",
            "PATH_INFO": urllib.parse.unquote(u.path[len("/git"):]),
            "QUERY_STRING": u.query, "REQUEST_METHOD": self.command,
            "CONTENT_TYPE": self.headers.get("Content-Type", ""),
            "CONTENT_LENGTH": str(len(data)), "REMOTE_ADDR": "127.0.0.1",
            "GATEWAY_INTERFACE": "CGI/1.1", "SERVER_PROTOCOL": "HTTP/1.1",
        })
        for h in ("Content-Encoding", "Git-Protocol"):
            if self.headers.get(h):
                env["HTTP_" + h.upper().replace("-", "_")] = self.headers[h]
        p = subprocess.run(["git", "http-backend"], input=data, env=env, capture_output=True)
        head, _, payload = p.stdout.partition(b"\r\n\r\n")
        if not _:
            head, _, payload = p.stdout.partition(b"\n\n")
        status = 200
        headers = []
        for line in head.decode("latin-1").splitlines():
            k, _, v = line.partition(":")
            if k.lower() == "status":
                status = int(v.strip().split()[0])
            elif k:
                headers.append((k, v.strip()))
        self.send_response(status)
        for k, v in headers:
            if k.lower() != "content-length":
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


def main():
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    print("port %d" % srv.server_port, flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    main()

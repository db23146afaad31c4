# SPDX-License-Identifier: MIT
"""A minimal Chrome DevTools Protocol client for the HTML report tests (python3 stdlib only).

Starts Debian's headless Chromium with --remote-debugging-pipe: the browser reads protocol
messages (JSON, each ended by a NUL byte) from its fd 3 and writes replies and events to its
fd 4, so there is no port to pick, no websocket library and nothing listening. Every read has
a deadline; the browser runs in its own session (process group) with a throw-away
--user-data-dir, and close() (also on any exception, via `with`) asks it to quit, then kills
the whole group, so that a test never leaves a Chromium behind or hangs.

Recorded on every page: uncaught exceptions, console errors (Content-Security-Policy
violations among them) and JavaScript dialogs (alert/confirm/prompt, dismissed at once), as
`Browser.problems`; the report tests require it to stay empty.
"""
import base64
import fcntl
import json
import os
import select
import shutil
import signal
import subprocess
import tempfile
import time


class CDPError(Exception):
    pass


def find_chromium():
    for name in (os.environ.get("LH_CHROMIUM"), "chromium", "chromium-browser",
                 "google-chrome"):
        if name and shutil.which(name):
            return shutil.which(name)
    raise CDPError("chromium not found: install Debian's chromium (scripts/deps.sh test) "
                   "or set LH_CHROMIUM")


class Browser:
    def __init__(self, workdir, timeout=60.0, width=1280, height=900):
        self.timeout = timeout
        self.width, self.height = width, height
        self.profile = tempfile.mkdtemp(prefix="chromium-profile-", dir=workdir)
        self.log_path = os.path.join(workdir, "chromium.log")
        self.problems = []
        self.events = []
        self.buf = b""
        self.next_id = 0
        self.proc = None
        exe = find_chromium()
        to_r, to_w = os.pipe()
        from_r, from_w = os.pipe()
        # the child's ends above any fd dup2 will write, so that moving them to 3 and 4
        # cannot overwrite one with the other
        child_in = fcntl.fcntl(to_r, fcntl.F_DUPFD_CLOEXEC, 20)
        child_out = fcntl.fcntl(from_w, fcntl.F_DUPFD_CLOEXEC, 20)
        os.close(to_r)
        os.close(from_w)
        self.w, self.r = to_w, from_r

        def child_fds():
            os.dup2(child_in, 3)
            os.dup2(child_out, 4)
            os.closerange(5, 1024)

        args = [exe, "--headless=new", "--remote-debugging-pipe",
                "--user-data-dir=" + self.profile, "--no-first-run",
                "--no-default-browser-check", "--disable-gpu", "--disable-extensions",
                "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--disable-dev-shm-usage", "--disable-breakpad",
                "--mute-audio", "--hide-scrollbars", "--password-store=basic",
                "--window-size=%d,%d" % (width, height), "about:blank"]
        if os.geteuid() == 0:
            # Chromium refuses to run as root with its sandbox (CI runs as root)
            args.insert(1, "--no-sandbox")
        log = open(self.log_path, "ab")
        try:
            self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                         close_fds=False, preexec_fn=child_fds,
                                         start_new_session=True)
        finally:
            log.close()
            os.close(child_in)
            os.close(child_out)
        self.call("Target.setDiscoverTargets", {"discover": False})

    # ---- the pipe ----

    def _send(self, method, params=None, session=None):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        data = json.dumps(msg).encode() + b"\0"
        while data:
            n = os.write(self.w, data)
            data = data[n:]
        return self.next_id

    def _read_one(self, deadline):
        while b"\0" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise CDPError("chromium did not answer in time (log: %s)" % self.log_path)
            ready, _, _ = select.select([self.r], [], [], left)
            if not ready:
                continue
            chunk = os.read(self.r, 1 << 20)
            if not chunk:
                raise CDPError("chromium closed the pipe (exit %s; log: %s)" %
                               (self.proc.poll(), self.log_path))
            self.buf += chunk
        raw, self.buf = self.buf.split(b"\0", 1)
        msg = json.loads(raw)
        if "method" in msg:
            self._event(msg)
        return msg

    def _event(self, msg):
        m, p = msg["method"], msg.get("params", {})
        if m == "Runtime.exceptionThrown":
            d = p.get("exceptionDetails", {})
            self.problems.append("exception: %s %s" % (
                d.get("text"), d.get("exception", {}).get("description", "")))
        elif m == "Log.entryAdded" and p.get("entry", {}).get("level") == "error":
            self.problems.append("console: " + p["entry"].get("text", ""))
        elif m == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
            self.problems.append("console.%s: %s" % (p.get("type"), p.get("args")))
        elif m == "Page.javascriptDialogOpening":
            self.problems.append("dialog: %s %r" % (p.get("type"), p.get("message")))
            self._send("Page.handleJavaScriptDialog", {"accept": False}, msg.get("sessionId"))
        self.events.append(msg)

    def call(self, method, params=None, session=None, timeout=None):
        """Sends a command and returns its result; CDPError on a protocol error."""
        want = self._send(method, params, session)
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            msg = self._read_one(deadline)
            if msg.get("id") == want:
                if "error" in msg:
                    raise CDPError("%s: %s" % (method, msg["error"]))
                return msg.get("result", {})

    def wait_event(self, method, session=None, timeout=None, since=0):
        """The first event `method` (of `session`) received at or after index `since`."""
        deadline = time.monotonic() + (timeout or self.timeout)
        i = since
        while True:
            while i < len(self.events):
                e = self.events[i]
                i += 1
                if e["method"] == method and (session is None or e.get("sessionId") == session):
                    return e
            self._read_one(deadline)

    # ---- pages ----

    def new_page(self):
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.call("Target.attachToTarget",
                            {"targetId": target, "flatten": True})["sessionId"]
        page = Page(self, target, session)
        for domain in ("Page", "Runtime", "Log"):
            page.call(domain + ".enable")
        page.call("Emulation.setDeviceMetricsOverride",
                  {"width": self.width, "height": self.height, "deviceScaleFactor": 1,
                   "mobile": False})
        return page

    # ---- shutdown ----

    def close(self):
        if self.proc and self.proc.poll() is None:
            try:
                self.call("Browser.close", timeout=5)
            except (CDPError, OSError):
                pass
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
        if self.proc:
            # the renderer, GPU and zygote processes too: the whole group
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
        for fd in (self.r, self.w):
            try:
                os.close(fd)
            except OSError:
                pass
        shutil.rmtree(self.profile, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False


class Page:
    def __init__(self, browser, target, session):
        self.b, self.target, self.session = browser, target, session

    def call(self, method, params=None, timeout=None):
        return self.b.call(method, params, self.session, timeout)

    def navigate(self, url, timeout=None):
        """Loads url and waits for its load event; returns the seconds it took."""
        mark = len(self.b.events)
        t0 = time.monotonic()
        r = self.call("Page.navigate", {"url": url})
        if r.get("errorText"):
            raise CDPError("navigate %s: %s" % (url, r["errorText"]))
        self.b.wait_event("Page.loadEventFired", self.session, timeout, since=mark)
        return time.monotonic() - t0

    def eval(self, expr, timeout=None):
        """The value of a JavaScript expression (promises awaited), by value."""
        r = self.call("Runtime.evaluate", {"expression": expr, "returnByValue": True,
                                           "awaitPromise": True}, timeout)
        if "exceptionDetails" in r:
            d = r["exceptionDetails"]
            raise CDPError("evaluating %r: %s %s" % (expr[:80], d.get("text"),
                           d.get("exception", {}).get("description", "")))
        return r.get("result", {}).get("value")

    def wait_for(self, expr, timeout=30.0):
        """Polls until expr is truthy; returns its value."""
        deadline = time.monotonic() + timeout
        while True:
            v = self.eval(expr)
            if v:
                return v
            if time.monotonic() > deadline:
                raise CDPError("timed out waiting for %s" % expr)
            time.sleep(0.02)

    def click(self, selector):
        """A real mouse click (pressed, released) at the middle of the element."""
        # scrolled into view, then measured after two frames (layout settled)
        box = self.eval("""(async () => { const e = document.querySelector(%s);
            if (!e) return null; e.scrollIntoView({block: 'center'});
            for (let i = 0; i < 2; i++) await new Promise(r => requestAnimationFrame(r));
            const r = e.getBoundingClientRect();
            const x = r.left + r.width / 2, y = r.top + r.height / 2;
            const hit = document.elementFromPoint(x, y);
            return {x: x, y: y, ok: !!hit && (hit === e || e.contains(hit))}; })()""" %
                        json.dumps(selector))
        if not box:
            raise CDPError("no element %s to click" % selector)
        if not box["ok"]:
            raise CDPError("%s is covered by another element" % selector)
        self.call("Input.dispatchMouseEvent", {"type": "mouseMoved", "x": box["x"],
                                               "y": box["y"], "button": "none"})
        for kind in ("mousePressed", "mouseReleased"):
            self.call("Input.dispatchMouseEvent", {"type": kind, "x": box["x"], "y": box["y"],
                                                   "button": "left", "buttons": 1 if kind == "mousePressed" else 0,
                                                   "clickCount": 1})

    def type_text(self, selector, text):
        """Focuses the element and types text as keyboard input (fires input events)."""
        self.click(selector)
        self.call("Input.insertText", {"text": text})

    def choose(self, selector, value):
        """Selects an option of a <select> the way a user's choice does: value, then change."""
        ok = self.eval("""(() => { const s = document.querySelector(%s);
            if (!s || ![...s.options].some(o => o.value === %s)) return false;
            s.focus(); s.value = %s;
            s.dispatchEvent(new Event('input', {bubbles: true}));
            s.dispatchEvent(new Event('change', {bubbles: true})); return true; })()""" %
                       (json.dumps(selector), json.dumps(value), json.dumps(value)))
        if not ok:
            raise CDPError("no option %r in %s" % (value, selector))

    def screenshot(self, path, full_page=False):
        params = {"format": "png"}
        if full_page:
            params["captureBeyondViewport"] = True
        data = self.call("Page.captureScreenshot", params)["data"]
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))

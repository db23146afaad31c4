#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The HTML audit report in headless Chromium (Debian's chromium), driven over the DevTools
protocol (cdp.py: --remote-debugging-pipe, stdlib only).

Each test writes an audit model (model.py), renders it with the real htmlrender binary (the
same writer as `leakhound report --format html`), opens the file and asserts on the DOM after
real mouse clicks and typing: the secrets table, a secret's timeline and occurrences, the
provider / triage / repository filters, the search box, sorting, the summary counts; that
planted script and markup in names, paths, messages and notes run nothing and show as text;
that a 10,000-secret model becomes interactive with only its first rows in the DOM (the load
time is printed, not asserted). Any uncaught exception, console error (a CSP violation is
one) or dialog fails the test. Screenshots: ARTIFACTS/report.png (small model, two secrets
expanded) and ARTIFACTS/report-10k.png.

Usage: test_chromium.py --render PATH/htmlrender --work DIR --artifacts DIR [-k NAME]
"""
import argparse
import json
import os
import signal
import subprocess
import sys
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cdp  # noqa: E402
import model  # noqa: E402

ARGS = None


def render(m, name):
    """Writes model m to WORK/name.json, renders WORK/name.html; returns its file:// URL."""
    src = os.path.join(ARGS.work, name + ".json")
    out = os.path.join(ARGS.work, name + ".html")
    with open(src, "w") as f:
        json.dump(m, f)
    p = subprocess.run([ARGS.render, src, out], capture_output=True, text=True, timeout=120)
    # a sanitizer report of the renderer reaches ctest's FAIL_REGULAR_EXPRESSION through here
    sys.stderr.write(p.stderr)
    check(p.returncode == 0, "htmlrender exit %d: %s" % (p.returncode, p.stderr))
    return "file://" + out


def check(cond, what):
    if not cond:
        raise AssertionError(what)


def eq(got, want, what):
    if got != want:
        raise AssertionError("%s: got %r, want %r" % (what, got, want))


def open_report(b, url):
    page = b.new_page()
    secs = page.navigate(url, timeout=120)
    page.wait_for("document.documentElement.dataset.ready === 'true' || "
                  "document.documentElement.dataset.error", timeout=120)
    err = page.eval("document.documentElement.dataset.error || ''")
    eq(err, "", "report script error")
    return page, secs


ROWS = "[...document.querySelectorAll('#secrets-body tr.secret')]"


def row_ids(page):
    return page.eval(ROWS + ".map(r => r.dataset.id)")


def sid(key):
    return model.sha("secret", key)


def row_sel(key):
    return '#secrets-body tr.secret[data-id="%s"]' % sid(key)


def expand(page, key):
    page.click(row_sel(key) + " button.expand")
    page.wait_for('!!document.querySelector(\'tr.detail[data-detail-for="%s"]\')' % sid(key))
    eq(page.eval("document.querySelector('%s button.expand').getAttribute('aria-expanded')" %
                 row_sel(key).replace("'", "\\'")), "true", "aria-expanded")


def detail_js(key, expr):
    return ("(() => { const d = document.querySelector('tr.detail[data-detail-for=\"%s\"]'); "
            "return %s; })()" % (sid(key), expr))


def set_search(page, text):
    page.eval("(() => { const s = document.getElementById('f-search'); s.value = ''; "
              "s.dispatchEvent(new Event('input', {bubbles: true})); })()")
    if text:
        page.type_text("#f-search", text)


# ---- tests ----

def test_table_timeline_filters_search(b):
    page, _ = open_report(b, render(model.small(), "small"))
    eq(page.eval("document.title"), "leakhound audit: acme (2026-12-06)", "title")
    # the table: one row per secret, most severe first
    eq(len(row_ids(page)), 6, "rows")
    eq(page.eval(ROWS + ".map(r => r.querySelector('.col-confidence').textContent)"),
       ["confirmed", "confirmed", "probable", "probable", "low", "low"], "default order")
    eq(page.eval("document.getElementById('count').textContent"), "6 secrets", "count")
    first = page.eval("(() => { const r = document.querySelector('%s'); return "
                      "[...r.cells].map(c => c.textContent); })()" % row_sel("gh1"))
    eq(first[1:], ["confirmed", "GitHub", "github-pat-classic", "ghp_e7****cD47", "acme/api +1",
                   "2", "2025-03-01", "3 refs", "Open"], "gh1 row")
    # the summary: totals, by provider, by triage status
    eq(page.eval("[...document.querySelectorAll('#totals .n')].map(e => e.textContent)"),
       ["6", "10", "3", "3"], "totals (secrets, occurrences, repositories, open)")
    eq(page.eval("[...document.querySelectorAll('#by-provider tbody tr')].map(r => "
                 "[...r.cells].map(c => c.textContent).join('|'))"),
       ["GitHub|3|1|1|1|3", "AWS|1|0|1|0|0", "Slack|1|0|0|1|0", "Stripe|1|1|0|0|0"],
       "by provider")
    eq(page.eval("[...document.querySelectorAll('#by-triage tbody tr')].map(r => "
                 "[...r.cells].map(c => c.textContent).join('|'))"),
       ["Open|3|1", "False positive|1|0", "Revoked|1|0", "Accepted|1|1"], "by triage")

    # a secret gone from all refs: its timeline from the introducing commit to now
    expand(page, "aws1")
    eq(page.eval(detail_js("aws1", "[...d.querySelectorAll('ol.timeline > li')].map("
                           "li => li.dataset.date)")),
       ["2024-11-05", "2025-01-20", "2025-02-14", "2026-12-06"], "aws1 timeline dates")
    tl = page.eval(detail_js("aws1", "[...d.querySelectorAll('ol.timeline > li')].map("
                             "li => li.textContent)"))
    check(tl[0].startswith("2024-11-05Introduced in acme/infra at "), tl[0])
    check("terraform/main.tf:41, terraform/old/main.tf:40" in tl[1], tl[1])
    check("in acme/api" in tl[2] and "scripts/backup.sh:7" in tl[2], tl[2])
    check("Gone from all refs" in tl[3], tl[3])
    eq(page.eval(detail_js("aws1", "[...d.querySelectorAll('table.occurrences tbody tr')].map("
                           "r => r.cells[0].textContent + ' ' + r.cells[1].textContent)")),
       ["acme/infra terraform/main.tf", "acme/infra terraform/main.tf",
        "acme/infra terraform/old/main.tf", "acme/api scripts/backup.sh"], "aws1 occurrences")
    facts = page.eval(detail_js("aws1", "d.querySelector('dl.facts').textContent"))
    check("Revoked" in facts and "rotated by ops, ticket SEC-12" in facts, facts)
    # a secret still reachable: in which refs
    expand(page, "gh1")
    last = page.eval(detail_js("gh1", "[...d.querySelectorAll('ol.timeline > li')].pop()"
                               ".textContent"))
    check(last.startswith("2026-12-06Still in 3 refs"), last)
    for ref in ("acme/api:refs/heads/main", "acme/web:refs/heads/main",
                "acme/web:refs/tags/v1.0"):
        check(ref in last, "%s in %s" % (ref, last))
    eq(page.eval(detail_js("gh1", "d.querySelectorAll('.tl-bar .tl-dot').length")), 2,
       "gh1 timeline bar dots")
    page.screenshot(os.path.join(ARGS.artifacts, "report.png"), full_page=True)
    print("screenshot: %s" % os.path.join(ARGS.artifacts, "report.png"))
    # collapsing removes the detail row
    page.click(row_sel("gh1") + " button.expand")
    eq(page.eval("document.querySelectorAll('tr.detail').length"), 1, "detail rows left")

    # filters
    page.choose("#f-provider", "GitHub")
    eq(page.eval(ROWS + ".map(r => r.querySelector('.col-provider').textContent)"),
       ["GitHub"] * 3, "provider filter")
    eq(page.eval("document.getElementById('count').textContent"),
       "3 secrets of 6 match the filters", "count when filtered")
    page.choose("#f-confidence", "low")
    eq(row_ids(page), [sid("gh3")], "provider and confidence")
    page.click("#f-reset")
    page.wait_for(ROWS + ".length === 6")
    page.choose("#f-triage", "open")
    eq(sorted(row_ids(page)), sorted([sid("gh1"), sid("gh2"), sid("gh3")]), "triage filter")
    page.choose("#f-triage", "")
    page.choose("#f-repository", "acme/infra")
    eq(sorted(row_ids(page)), sorted([sid("aws1"), sid("gh2")]), "repository filter")
    page.choose("#f-repository", "")
    # summary links set the filter
    page.click("#by-provider tbody tr:nth-child(3) button")
    eq(row_ids(page), [sid("slack1")], "provider link in the summary")
    page.choose("#f-provider", "")

    # search: path, repository, rule, several words
    set_search(page, "terraform")
    eq(row_ids(page), [sid("aws1")], "search by path")
    set_search(page, "acme/web")
    eq(sorted(row_ids(page)), sorted([sid("gh1"), sid("slack1"), sid("gh3")]),
       "search by repository")
    set_search(page, "STRIPE-secret")
    eq(row_ids(page), [sid("stripe1")], "search by rule, any case")
    set_search(page, "github release.yml")
    eq(row_ids(page), [sid("gh2")], "every word must match")
    set_search(page, "no-such-thing")
    eq(row_ids(page), [], "no match")
    eq(page.eval("document.getElementById('count').textContent"),
       "0 secrets of 6 match the filters", "count with no match")
    set_search(page, "")

    # sorting: newest introduction first, then oldest
    page.click('th[data-key="introduced"] button')
    eq(row_ids(page)[0], sid("gh3"), "newest first")
    eq(page.eval("document.querySelector('th[data-key=\"introduced\"]')"
                 ".getAttribute('aria-sort')"), "descending", "aria-sort")
    page.click('th[data-key="introduced"] button')
    eq(row_ids(page)[0], sid("aws1"), "oldest first")
    eq(page.eval("document.querySelector('th[data-key=\"introduced\"]')"
                 ".getAttribute('aria-sort')"), "ascending", "aria-sort")
    page.click('th[data-key="occ"] button')
    eq(row_ids(page)[0], sid("aws1"), "most occurrences first")
    # the expanded secret stays expanded across filtering and sorting
    eq(page.eval("[...document.querySelectorAll('tr.detail')].map(d => d.dataset.detailFor)"),
       [sid("aws1")], "expanded rows kept")
    # printing: every matching row, repositories open
    pdf = page.call("Page.printToPDF", {}, timeout=60)["data"]
    check(len(pdf) > 1000, "printToPDF")
    eq(page.eval("document.querySelector('#repositories details').open"), True,
       "repositories open for printing")


def test_planted_markup_runs_nothing(b):
    m = model.hostile()
    page, _ = open_report(b, render(m, "hostile"))
    eq(page.eval("typeof window.__pwned"), "undefined", "planted script ran")
    eq(page.eval("document.scripts.length"), 2, "script elements")
    eq(page.eval("document.images.length"), 0, "img elements")
    eq(page.eval("document.querySelectorAll('a[href^=\"javascript\" i]').length"), 0,
       "javascript: links")
    # the page parsed exactly the model: nothing was cut off or re-interpreted
    eq(page.eval("JSON.parse(document.getElementById('lh-model').textContent)"), m,
       "embedded model")
    check(page.eval("document.title").startswith("leakhound audit: acme" + model.XSS_IMG),
          "title shows the organisation literally")
    expand(page, "gh1")
    text = page.eval(detail_js("gh1", "d.textContent"))
    for planted in ("src/" + model.XSS_SCRIPT + "/" + model.XSS_IMG + ".env",
                    "fix " + model.XSS_SCRIPT + " " + model.XSS_COMMENT,
                    "note " + model.XSS_SCRIPT + " " + model.XSS_IMG,
                    "GitHub " + model.XSS_COMMENT, "Mallory " + model.XSS_IMG,
                    "evil/" + model.XSS_SCRIPT + ":refs/heads/" + model.XSS_IMG):
        check(planted in text, "shown literally: %r" % planted)
    check("\u2028 line sep \u2029" in text, "U+2028/2029 kept in the note")
    check(model.XSS_SCRIPT in page.eval("document.getElementById('repo-table').textContent"),
          "repository name shown literally")
    eq(page.eval("typeof window.__pwned"), "undefined", "planted script ran after expanding")
    page.screenshot(os.path.join(ARGS.artifacts, "report-hostile.png"), full_page=True)


def test_ten_thousand_secrets(b):
    m = model.large(10000)
    nocc = sum(len(s["occurrences"]) for s in m["secrets"])
    t0 = time.monotonic()
    url = render(m, "large")
    t_render = time.monotonic() - t0
    size = os.path.getsize(url[len("file://"):])
    page, t_load = open_report(b, url)
    ready_ms = page.eval("window.lhReport.readyAt")
    nav = page.eval("(() => { const n = performance.getEntriesByType('navigation')[0]; "
                    "return {dcl: n.domContentLoadedEventEnd, load: n.loadEventEnd}; })()")
    rows = page.eval(ROWS + ".length")
    eq(page.eval("document.getElementById('count').textContent"), "10,000 secrets", "count")
    check(100 <= rows <= 1000, "rendered rows: %d (not all 10,000 at once)" % rows)
    first = page.eval("[...document.querySelector('#secrets-body tr.secret').cells].map("
                      "c => c.textContent)")
    check(all(first[1:]), "first row filled: %r" % first)
    # scrolling to the end of the table brings in more rows
    page.eval("document.getElementById('sentinel').scrollIntoView()")
    page.wait_for(ROWS + ".length > %d" % rows)
    more = page.eval(ROWS + ".length")
    # a search over 10,000 secrets and their 25,000 paths
    t1 = time.monotonic()
    set_search(page, "module_5/")
    page.wait_for("document.getElementById('count').textContent.includes('match')")
    t_search = time.monotonic() - t1
    hits = page.eval("document.getElementById('count').textContent")
    check(hits.startswith("1") or hits.startswith("2") or hits.startswith("3"), hits)
    t2 = time.monotonic()
    page.choose("#f-provider", "AWS")
    t_filter = time.monotonic() - t2
    check(all(p == "AWS" for p in page.eval(
        ROWS + ".map(r => r.querySelector('.col-provider').textContent)")), "AWS only")
    set_search(page, "")
    page.choose("#f-provider", "")
    expand(page, page_first_key(page))
    page.eval("window.scrollTo(0, 0)")
    page.screenshot(os.path.join(ARGS.artifacts, "report-10k.png"))
    print("10k model: %d secrets, %d occurrences, %.1f MB page, rendered by htmlrender in "
          "%.2f s" % (len(m["secrets"]), nocc, size / 1e6, t_render))
    print("10k load: interactive (first %d rows shown) at %.0f ms after navigation start "
          "(DOMContentLoaded %.0f ms, load %.0f ms; navigate-to-load-event %.2f s wall); "
          "%d rows after scrolling to the end" % (rows, ready_ms, nav["dcl"], nav["load"],
                                                  t_load, more))
    print("10k interaction: search typed + table updated in %.0f ms (%s); provider filter "
          "%.0f ms (both include the DevTools round trips)" % (t_search * 1000, hits,
                                                               t_filter * 1000))


def test_mistyped_fields_render(b):
    """Fields missing or of the wrong type show as a dash; the page still works."""
    m = {"schema": "leakhound-audit/1", "generated_at": 7, "tool": [], "scope": None,
         "repositories": [None, 3, {"name": ["x"], "url": "ftp://x"}, {"name": "r/one"}],
         "secrets": [None, 1, "x", {},
                     {"id": "s5", "occurrences": "nope", "triage": 5, "introduced": [],
                      "still_in_refs": [1, None, "r/one:refs/heads/main"], "provider": {},
                      "confidence": "extreme", "rule_id": "r", "unknown_field": {"a": 1}},
                     {"id": "s6", "provider": "P", "occurrences": [None, {"date": "not a date",
                      "line": "7", "refs": "main"}], "introduced": {"date": "2020-02-30T99"}}]}
    page, _ = open_report(b, render(m, "mistyped"))
    eq(len(row_ids(page)), 6, "rows")
    page.click('#secrets-body tr.secret[data-id="s5"] button.expand')
    page.wait_for("!!document.querySelector('tr.detail[data-detail-for=\"s5\"]')")
    check("Still in 1 ref" in page.eval(detail_js_id("s5", "d.textContent")), "refs of s5")
    page.click('#secrets-body tr.secret[data-id="s6"] button.expand')
    page.wait_for("!!document.querySelector('tr.detail[data-detail-for=\"s6\"]')")
    page.choose("#f-provider", "P")
    eq(row_ids(page), ["s6"], "provider filter")
    set_search(page, "r/one")
    eq(row_ids(page), [], "search and provider")


def detail_js_id(ident, expr):
    return ("(() => { const d = document.querySelector('tr.detail[data-detail-for=\"%s\"]'); "
            "return %s; })()" % (ident, expr))


def page_first_key(page):
    """The model key of the first row (large model ids are sha('secret', 'bigN'))."""
    first = row_ids(page)[0]
    for i in range(10000):
        if model.sha("secret", "big%d" % i) == first:
            return "big%d" % i
    raise AssertionError("first row id not from the large model")


TESTS = [test_table_timeline_filters_search, test_planted_markup_runs_nothing,
         test_mistyped_fields_render, test_ten_thousand_secrets]


def main():
    global ARGS
    ap = argparse.ArgumentParser()
    ap.add_argument("--render", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--artifacts", required=True)
    ap.add_argument("-k", default="")
    ap.add_argument("--timeout", type=int, default=480, help="seconds for the whole run")
    ARGS = ap.parse_args()
    ARGS.work = os.path.abspath(ARGS.work)
    ARGS.artifacts = os.path.abspath(ARGS.artifacts)
    ARGS.render = os.path.abspath(ARGS.render)
    os.makedirs(ARGS.work, exist_ok=True)
    os.makedirs(ARGS.artifacts, exist_ok=True)

    def expired(*_):
        raise TimeoutError("test_chromium.py: whole run over %d s" % ARGS.timeout)
    signal.signal(signal.SIGALRM, expired)
    signal.alarm(ARGS.timeout)
    failed = 0
    with cdp.Browser(ARGS.work) as b:
        version = b.call("Browser.getVersion")
        print("browser: %s" % version.get("product"))
        for t in TESTS:
            if ARGS.k not in t.__name__:
                continue
            b.problems.clear()
            t0 = time.monotonic()
            try:
                t(b)
                if b.problems:
                    raise AssertionError("page problems:\n  " + "\n  ".join(b.problems))
                print("PASS %s (%.1f s)" % (t.__name__, time.monotonic() - t0))
            except Exception:
                failed += 1
                traceback.print_exc()
                for problem in b.problems:
                    print("page problem: " + problem)
                print("FAIL %s" % t.__name__)
    signal.alarm(0)
    print("test_chromium.py: %s" % ("FAIL" if failed else "all passed"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

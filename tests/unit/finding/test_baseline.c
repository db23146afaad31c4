/* SPDX-License-Identifier: MIT */
/*
 * Baseline library tests (no binary): strict loading with file:line:col errors, matching by
 * fingerprint and rule id only, expiry, building from findings with carried-over
 * annotations, a dump that is sorted, one entry per line, byte-stable and loadable, and
 * inputs that end right before a PROT_NONE page.
 */
#include "finding/baseline.h"
#include "support/report.h"

#include <sys/mman.h>
#include <unistd.h>

static struct lh_rule rule_a = {.id = (char *)"rule-a", .name = (char *)"Rule A"};
static struct lh_rule rule_b = {.id = (char *)"rule-b", .name = (char *)"Rule B"};

static void add_finding(struct lh_findings *l, const struct lh_rule *r, const char *path,
                        size_t line, const char *secret)
{
    struct lh_finding f;
    memset(&f, 0, sizeof(f));
    f.rule = r;
    f.confidence = LH_CONF_CONFIRMED;
    f.path = strdup(path);
    f.line = line;
    f.column = 1;
    cr_assert(eq(int, lh_finding_set_secret(&f, (const uint8_t *)secret, strlen(secret)), 0));
    cr_assert(eq(int, lh_findings_push(l, &f), 0));
}

static int load(struct lh_baseline *b, const char *text)
{
    lh_baseline_init(b);
    return lh_baseline_load_buffer(b, "bl.json", text, strlen(text));
}

/* Loads text expecting LH_EINVAL with a message starting with `where` and containing `what`. */
static void expect_error(const char *text, const char *where, const char *what)
{
    struct lh_baseline b;
    int rc = load(&b, text);
    cr_assert(eq(int, rc, LH_EINVAL), "accepted: %s", text);
    const char *msg = lh_error_get();
    cr_assert(eq(int, strncmp(msg, where, strlen(where)), 0), "message '%s' not at '%s'", msg,
              where);
    cr_assert(strstr(msg, what) != NULL, "message '%s' lacks '%s'", msg, what);
    cr_assert(eq(sz, b.count, 0));
    lh_baseline_dispose(&b);
}

#define FP1 "0123456789abcdef0123456789abcdef"
#define FP2 "fedcba9876543210fedcba9876543210"

Test(baseline, loads_valid_file_sorted)
{
    struct lh_baseline b;
    int rc = load(&b, "{\n  \"version\": 1,\n  \"entries\": [\n"
                      "    {\"fingerprint\": \"" FP2 "\", \"rule_id\": \"rule-b\"},\n"
                      "    {\"fingerprint\": \"" FP1 "\", \"rule_id\": \"rule-a\", "
                      "\"reason\": \"test key\", \"owner\": \"sec@example.com\", "
                      "\"expires\": \"2999-12-31\", \"path\": \"a/b.env\"}\n  ]\n}\n");
    cr_assert(eq(int, rc, 0), "%s", lh_error_get());
    cr_assert(eq(sz, b.count, 2));
    cr_assert(eq(str, b.entries[0].fingerprint, FP1));
    cr_assert(eq(int, b.entries[0].line, 5));
    cr_assert(eq(int, b.entries[1].line, 4));
    cr_assert(eq(str, b.entries[0].reason, "test key"));
    cr_assert(eq(str, b.entries[0].expires, "2999-12-31"));
    cr_assert(lh_baseline_find(&b, FP2) == &b.entries[1]);
    cr_assert(lh_baseline_find(&b, "00000000000000000000000000000000") == NULL);
    lh_baseline_dispose(&b);
}

Test(baseline, syntax_error_names_line_and_column)
{
    expect_error("{\n  \"version\": 1,\n  \"entries\": [\n    {\"fingerprint\": \"" FP1
                 "\" \"rule_id\": \"x\"}\n  ]\n}\n",
                 "bl.json:4:", "invalid baseline JSON");
}

Test(baseline, content_errors_name_line_and_column)
{
    /* unknown key in an entry: a typo such as "expire" must not be ignored */
    expect_error("{\"version\": 1,\n \"entries\": [\n  {\"fingerprint\": \"" FP1
                 "\",\n   \"rule_id\": \"a\",\n   \"expire\": \"2000-01-01\"}]}",
                 "bl.json:5:14:", "unknown key 'expire'");
    expect_error("{\"version\": 1, \"entries\": [\n {\"fingerprint\": \"" FP1
                 "\", \"rule_id\": \"a\", \"expires\": \"2024-02-30\"}]}",
                 "bl.json:2:", "YYYY-MM-DD");
    expect_error(
        "{\"version\": 1, \"entries\": [\n {\"fingerprint\": \"ABC\", \"rule_id\": \"a\"}]}",
        "bl.json:2:18:", "lower-case hex");
    expect_error("{\"version\": 1, \"entries\": [\n {\"fingerprint\": \"" FP1 "\"}]}",
                 "bl.json:2:2:", "missing required key 'rule_id'");
    expect_error("{\"version\": 1, \"entries\": [\n {\"fingerprint\": \"" FP1
                 "\", \"rule_id\": 7}]}",
                 "bl.json:2:", "'rule_id' must be a string");
    expect_error("{\"version\": 1, \"entries\": [\n {\"fingerprint\": \"" FP1
                 "\", \"rule_id\": \"a\", \"reason\": \"tab\\there\"}]}",
                 "bl.json:2:", "control characters");
    expect_error("{\"version\": 1, \"entries\": [\n 42]}", "bl.json:2:2:", "must be an object");
    expect_error("{\"version\": 2, \"entries\": []}", "bl.json:1:13:", "version");
    expect_error("{\"version\": 1, \"entries\": {}}", "bl.json:1:27:", "must be a list");
    expect_error("{\"version\": 1}", "bl.json:1:1:", "missing required key 'entries'");
    expect_error("{\"version\": 1, \"entries\": [], \"extra\": 1}", "bl.json:1:", "unknown key");
    expect_error("[]", "bl.json:1:1:", "JSON object");
    expect_error("", "bl.json:1:", "invalid baseline JSON");
}

Test(baseline, duplicate_fingerprints_and_keys_are_errors)
{
    expect_error("{\"version\": 1, \"entries\": [\n"
                 " {\"fingerprint\": \"" FP1 "\", \"rule_id\": \"a\"},\n"
                 " {\"fingerprint\": \"" FP2 "\", \"rule_id\": \"b\"},\n"
                 " {\"fingerprint\": \"" FP1 "\", \"rule_id\": \"a\", \"reason\": \"x\"}]}",
                 "bl.json:4:", "duplicate baseline entry");
    expect_error("{\"version\": 1, \"entries\": [\n {\"fingerprint\": \"" FP1
                 "\", \"rule_id\": \"a\", \"rule_id\": \"b\"}]}",
                 "bl.json:2:", "duplicate");
}

Test(baseline, dates)
{
    cr_assert(lh_baseline_valid_date("2024-02-29"));
    cr_assert(eq(int, lh_baseline_valid_date("2023-02-29"), 0));
    cr_assert(lh_baseline_valid_date("2000-02-29"));
    cr_assert(eq(int, lh_baseline_valid_date("1900-02-29"), 0));
    cr_assert(eq(int, lh_baseline_valid_date("2024-13-01"), 0));
    cr_assert(eq(int, lh_baseline_valid_date("2024-1-01"), 0));
    cr_assert(eq(int, lh_baseline_valid_date("2024-01-01T00:00:00Z"), 0));
    cr_assert(eq(int, lh_baseline_valid_date("2024-00-10"), 0));
    struct lh_baseline_entry e;
    memset(&e, 0, sizeof(e));
    cr_assert(eq(int, lh_baseline_expired(&e, "2024-06-01"), 0), "no date: never expires");
    memcpy(e.expires, "2024-06-01", 11);
    cr_assert(eq(int, lh_baseline_expired(&e, "2024-05-31"), 0));
    cr_assert(eq(int, lh_baseline_expired(&e, "2024-06-01"), 0), "in force on its expiry day");
    cr_assert(lh_baseline_expired(&e, "2024-06-02"));
    cr_assert(lh_baseline_expired(&e, "2025-01-01"));
    char today[11];
    lh_baseline_today(today);
    cr_assert(lh_baseline_valid_date(today), "%s", today);
}

Test(baseline, apply_matches_fingerprint_and_rule_not_location)
{
    struct lh_findings l;
    lh_findings_init(&l);
    add_finding(&l, &rule_a, "old/place.env", 3, "secret-one-aaaaaaaaaaaaaaaaaaaaaa");
    struct lh_baseline b;
    lh_baseline_init(&b);
    cr_assert(eq(int, lh_baseline_add_findings(&b, &l, NULL), 0));
    cr_assert(eq(sz, b.count, 1));
    lh_findings_dispose(&l);

    /* same secret elsewhere (moved), the same secret under another rule, a new secret */
    lh_findings_init(&l);
    add_finding(&l, &rule_a, "new/place.yaml", 40, "secret-one-aaaaaaaaaaaaaaaaaaaaaa");
    add_finding(&l, &rule_b, "new/place.yaml", 41, "secret-one-aaaaaaaaaaaaaaaaaaaaaa");
    add_finding(&l, &rule_a, "new/place.yaml", 40, "secret-two-bbbbbbbbbbbbbbbbbbbbbb");
    struct lh_baseline_stats st;
    lh_baseline_apply(&b, &l, "2024-01-01", &st);
    cr_assert(l.items[0].suppressed);
    cr_assert(eq(int, l.items[1].suppressed, 0), "another rule's finding of the same secret");
    cr_assert(eq(int, l.items[2].suppressed, 0), "a new secret on the same line");
    cr_assert(eq(sz, st.suppressed, 1));
    cr_assert(eq(sz, b.entries[0].matched, 1));

    /* expired: matched (not stale) but no longer suppressing */
    memcpy(b.entries[0].expires, "2023-12-31", 11);
    l.items[0].suppressed = false;
    lh_baseline_apply(&b, &l, "2024-01-01", &st);
    cr_assert(eq(int, l.items[0].suppressed, 0));
    cr_assert(eq(sz, st.expired, 1));
    cr_assert(eq(sz, st.suppressed, 0));
    cr_assert(eq(sz, b.entries[0].matched, 1));

    /* invalid findings (validator failed) never match */
    l.items[0].invalid = true;
    lh_baseline_apply(&b, &l, "2024-01-01", &st);
    cr_assert(eq(sz, b.entries[0].matched, 0));
    lh_baseline_dispose(&b);
    lh_findings_dispose(&l);
}

Test(baseline, dump_is_sorted_stable_and_round_trips)
{
    struct lh_findings l;
    lh_findings_init(&l);
    add_finding(&l, &rule_b, "z.env", 1, "secret-zz-cccccccccccccccccccccccc");
    add_finding(&l, &rule_a, "b.env", 1, "secret-aa-dddddddddddddddddddddddd");
    add_finding(&l, &rule_a, "a.env", 9, "secret-aa-dddddddddddddddddddddddd");
    add_finding(&l, &rule_a, "c.env", 2, "secret-bb-eeeeeeeeeeeeeeeeeeeeeeee");
    l.items[3].suppressed = true; /* e.g. under --min-confidence: not recorded */
    struct lh_baseline b;
    lh_baseline_init(&b);
    cr_assert(eq(int, lh_baseline_add_findings(&b, &l, NULL), 0));
    cr_assert(eq(sz, b.count, 2), "one entry per fingerprint, suppressed ones left out");
    char *text = NULL;
    cr_assert(eq(int, lh_baseline_dump(&text, &b), 0));
    cr_assert(strstr(text, "secret-") == NULL, "no secret in the baseline: %s", text);
    cr_assert(strstr(text, "\"path\": \"a.env\"") != NULL, "smallest path is the hint: %s", text);
    cr_assert(eq(sz, rt_lines(text), 3 + 2 + 2), "header, one line per entry, footer:\n%s", text);
    /* fingerprints ascend line by line */
    const char *p1 = strstr(text, "\"fingerprint\": \"");
    const char *p2 = p1 ? strstr(p1 + 1, "\"fingerprint\": \"") : NULL;
    cr_assert(p1 != NULL && p2 != NULL);
    cr_assert(strncmp(p1 + 16, p2 + 16, 32) < 0, "%s", text);

    /* the same findings in another order give the same bytes */
    struct lh_findings l2;
    lh_findings_init(&l2);
    add_finding(&l2, &rule_a, "a.env", 9, "secret-aa-dddddddddddddddddddddddd");
    add_finding(&l2, &rule_a, "b.env", 1, "secret-aa-dddddddddddddddddddddddd");
    add_finding(&l2, &rule_b, "z.env", 1, "secret-zz-cccccccccccccccccccccccc");
    struct lh_baseline b2;
    lh_baseline_init(&b2);
    cr_assert(eq(int, lh_baseline_add_findings(&b2, &l2, NULL), 0));
    char *text2 = NULL;
    cr_assert(eq(int, lh_baseline_dump(&text2, &b2), 0));
    cr_assert(eq(str, text, text2));

    /* and it loads back to the same bytes */
    struct lh_baseline b3;
    cr_assert(eq(int, load(&b3, text), 0), "%s", lh_error_get());
    char *text3 = NULL;
    cr_assert(eq(int, lh_baseline_dump(&text3, &b3), 0));
    cr_assert(eq(str, text, text3));
    free(text);
    free(text2);
    free(text3);
    lh_baseline_dispose(&b);
    lh_baseline_dispose(&b2);
    lh_baseline_dispose(&b3);
    lh_findings_dispose(&l);
    lh_findings_dispose(&l2);
}

Test(baseline, empty_baseline_dump_loads)
{
    struct lh_baseline b;
    lh_baseline_init(&b);
    char *text = NULL;
    cr_assert(eq(int, lh_baseline_dump(&text, &b), 0));
    cr_assert(eq(str, text, "{\n  \"version\": 1,\n  \"entries\": []\n}\n"));
    cr_assert(eq(int, load(&b, text), 0));
    cr_assert(eq(sz, b.count, 0));
    free(text);
    lh_baseline_dispose(&b);
}

Test(baseline, unwritable_path_hints_are_dropped_not_fatal)
{
    struct lh_findings l;
    lh_findings_init(&l);
    add_finding(&l, &rule_a, "bad\xff\xfename.env", 1, "secret-xx-ffffffffffffffffffffffff");
    add_finding(&l, &rule_b, "new\nline.env", 1, "secret-yy-gggggggggggggggggggggggg");
    struct lh_baseline b;
    lh_baseline_init(&b);
    cr_assert(eq(int, lh_baseline_add_findings(&b, &l, NULL), 0));
    char *text = NULL;
    cr_assert(eq(int, lh_baseline_dump(&text, &b), 0));
    cr_assert(strstr(text, "\"path\"") == NULL, "%s", text);
    struct lh_baseline b2;
    cr_assert(eq(int, load(&b2, text), 0), "%s", lh_error_get());
    cr_assert(eq(sz, b2.count, 2));
    free(text);
    lh_baseline_dispose(&b);
    lh_baseline_dispose(&b2);
    lh_findings_dispose(&l);
}

Test(baseline, create_carries_annotations_over)
{
    struct lh_findings l;
    lh_findings_init(&l);
    add_finding(&l, &rule_a, "a.env", 1, "secret-aa-dddddddddddddddddddddddd");
    add_finding(&l, &rule_a, "b.env", 1, "secret-new-hhhhhhhhhhhhhhhhhhhhhhh");
    char fp[LH_FINGERPRINT_LEN + 1];
    memcpy(fp, l.items[0].fingerprint, sizeof(fp));
    char text[512];
    snprintf(text, sizeof(text),
             "{\"version\": 1, \"entries\": [{\"fingerprint\": \"%s\", \"rule_id\": \"rule-a\", "
             "\"reason\": \"fixture\", \"owner\": \"team-x\", \"expires\": \"2001-01-01\"}]}",
             fp);
    struct lh_baseline prev;
    cr_assert(eq(int, load(&prev, text), 0), "%s", lh_error_get());
    struct lh_baseline b;
    lh_baseline_init(&b);
    cr_assert(eq(int, lh_baseline_add_findings(&b, &l, &prev), 0));
    cr_assert(eq(sz, b.count, 2));
    const struct lh_baseline_entry *e = lh_baseline_find(&b, fp);
    cr_assert(e != NULL);
    cr_assert(eq(str, e->reason, "fixture"));
    cr_assert(eq(str, e->owner, "team-x"));
    cr_assert(eq(str, (char *)e->expires, "2001-01-01"), "expired stays expired");
    const struct lh_baseline_entry *n = e == &b.entries[0] ? &b.entries[1] : &b.entries[0];
    cr_assert(n->reason == NULL);
    lh_baseline_dispose(&prev);
    lh_baseline_dispose(&b);
    lh_findings_dispose(&l);
}

Test(baseline, loading_into_a_nonempty_baseline_rejects_clashes)
{
    struct lh_baseline b;
    const char *one =
        "{\"version\": 1, \"entries\": [{\"fingerprint\": \"" FP1 "\", \"rule_id\": \"a\"}]}";
    cr_assert(eq(int, load(&b, one), 0));
    cr_assert(eq(int, lh_baseline_load_buffer(&b, "two.json", one, strlen(one)), LH_EINVAL));
    cr_assert(strstr(lh_error_get(), "two.json:1:") != NULL, "%s", lh_error_get());
    cr_assert(eq(sz, b.count, 1), "left as it was");
    lh_baseline_dispose(&b);
}

Test(baseline, missing_file_is_not_found)
{
    struct lh_baseline b;
    lh_baseline_init(&b);
    cr_assert(eq(int, lh_baseline_load_file(&b, "/nonexistent/leakhound-bl.json"), LH_ENOTFOUND));
    cr_assert(strstr(lh_error_get(), "/nonexistent/leakhound-bl.json") != NULL);
    lh_baseline_dispose(&b);
}

/* Loads text placed so that its last byte is the last byte before a PROT_NONE page. */
static int load_at_guard_page(const char *text)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t len = strlen(text);
    cr_assert(len <= page);
    uint8_t *map = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    cr_assert(map != MAP_FAILED);
    cr_assert(eq(int, mprotect(map + page, page, PROT_NONE), 0));
    char *p = (char *)map + page - len;
    memcpy(p, text, len);
    struct lh_baseline b;
    lh_baseline_init(&b);
    int rc = lh_baseline_load_buffer(&b, "guard.json", p, len);
    lh_baseline_dispose(&b);
    munmap(map, 2 * page);
    return rc;
}

Test(baseline, inputs_ending_at_a_guard_page)
{
    static const char *const ok[] = {
        "{\"version\": 1, \"entries\": [{\"fingerprint\": \"" FP1 "\", \"rule_id\": \"a\"}]}",
        "{\"version\":1,\"entries\":[]}",
    };
    static const char *const bad[] = {
        "{\"version\": 1, \"entries\": [{\"fingerprint\": \"",
        "{\"version\": 1, \"entries\": [{\"fingerprint\": \"" FP1 "\", \"rule_id\": \"a\\",
        "{\"version\": 1, \"entries\": [{\"fingerprint\": \"" FP1
        "\", \"rule_id\": \"a\", \"x\": 1}]}",
        "{\"version\": 1, \"entries\": [{\"fingerprint\": \"" FP1 "\"}]}",
        "{\"version\": 1, \"entries\": [7]}",
        "{\"version\": 1, \"entries\": 12345}",
        "{\"version\": 1, \"entries\": [], \"z\": [[[[",
        "{",
        "",
    };
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        cr_assert(eq(int, load_at_guard_page(ok[i]), 0), "%s: %s", ok[i], lh_error_get());
    }
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        cr_assert(eq(int, load_at_guard_page(bad[i]), LH_EINVAL), "accepted: %s", bad[i]);
        cr_assert(strstr(lh_error_get(), "guard.json:") != NULL, "%s", lh_error_get());
    }
}

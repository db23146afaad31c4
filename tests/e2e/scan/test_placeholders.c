/* SPDX-License-Identifier: MIT */
/*
 * Known placeholders are never reported. Every value of rules/placeholders/placeholders.yml
 * (documentation examples, spec vectors, scanners' public fixtures, test card numbers) and
 * a list of template and filler shapes are planted in the file types rules target (.env,
 * .py, .js, .json, .yml, .tf, .md, .go, .java), each after the labels that context-anchored
 * rules look for (AWS_SECRET_ACCESS_KEY, AZURE_DEVOPS_EXT_PAT, WIF, card_number, ...), and
 * `leakhound scan` (built-in rules, the opt-in card rule enabled) must report nothing.
 */
#include "support/support.h"

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_VALUES 512

/* Labels that context-anchored rules key on; every value is planted after each of them. */
static const char *const labels[] = {
    "token",
    "api_key",
    "AWS_SECRET_ACCESS_KEY",
    "aws_access_key_id",
    "AZURE_DEVOPS_EXT_PAT",
    "STELLAR_SECRET_KEY",
    "WIF",
    "bitcoin_private_key",
    "card_number",
    "PRIVATE_KEY",
    "GITHUB_TOKEN",
    "TWILIO_AUTH_TOKEN",
    "DATADOG_API_KEY",
    "HEROKU_API_KEY",
    "NOSTR_PRIVATE_KEY",
    "client_secret",
};

/* Templates and fillers in the contexts where a real secret would be reported. */
static const char *const lines[] = {
    "postgres://app:${DB_PASSWORD}@db.example.com:5432/app",
    "postgresql://user:password@db.example.com:5432/app",
    "mysql://user:{{db_password}}@db.example.com/app",
    "mysql://root:changeme@db.example.com/app",
    "mongodb+srv://admin:%MONGO_PASSWORD%@cluster0.example.mongodb.net/",
    "mongodb+srv://<username>:<password>@cluster0.example.mongodb.net/",
    "redis://:$REDIS_PASSWORD@cache.example.com:6379",
    "redis://default:$(REDIS_PASSWORD)@cache.example.com:6379",
    "amqp://user:<password>@rabbit.example.com:5672/",
    "amqp://guest:guest@rabbit.example.com:5672/",
    "Server=db.example.com;Database=app;User Id=app;Password=${SQL_PASSWORD};",
    "Server=db.example.com;Database=app;User Id=app;Password=@SQL_PASSWORD@;",
    "jdbc:postgresql://db.example.com/app?user=app&password=${DB_PASSWORD}",
    "GITHUB_TOKEN=${{ secrets.GITHUB_TOKEN }}",
    "AWS_SECRET_ACCESS_KEY=${AWS_SECRET_ACCESS_KEY}",
    "aws_secret_access_key = {{ aws_secret_access_key }}",
    "aws_secret_access_key = XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX",
    "PRIVATE_KEY=%PRIVATE_KEY%",
    "AccountKey=${STORAGE_ACCOUNT_KEY}",
    "ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
    "github_pat_xxxxxxxxxxxxxxxxxxxxxx_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
    "sk_live_xxxxxxxxxxxxxxxxxxxxxxxx",
    "sk_test_0000000000000000000000000000",
    "AKIAXXXXXXXXXXXXXXXX",
    "AIzaSyXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX",
    "xoxb-0000000000-0000000000-xxxxxxxxxxxxxxxxxxxxxxxx",
    "https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX",
    "glpat-xxxxxxxxxxxxxxxxxxxx",
    "glsa_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx_00000000",
    "glc_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
    "dop_v1_0000000000000000000000000000000000000000000000000000000000000000",
    "npm_000000000000000000000000000000000000",
    "hf_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
    "SG.xxxxxxxxxxxxxxxxxxxxxx.xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
    "sk-ant-api03-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
    "xxxxxxxxxxxxAA",
    "PRIVATE_KEY=0x0000000000000000000000000000000000000000000000000000000000000000",
    "card_number: 4242 4242 4242 4242",
    "card_number: 4012-8888-8888-1881",
    "-----BEGIN PRIVATE KEY-----\\n...\\n-----END PRIVATE KEY-----",
};

static char *dir;
static char *values[MAX_VALUES];
static size_t nvalues;

/* Reads `- value: X` entries of the placeholder list (plain or quoted scalars). */
static void load_values(void)
{
    char *text = lh_read_file(LH_SOURCE_DIR "/rules/placeholders/placeholders.yml");
    cr_assert(text != NULL);
    char *save = NULL;
    for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        const char *tag = "- value: ";
        char *v = strstr(l, tag);
        if (!v) {
            continue;
        }
        v += strlen(tag);
        size_t n = strlen(v);
        if (n >= 2 && (v[0] == '\'' || v[0] == '"') && v[n - 1] == v[0]) {
            v[n - 1] = 0;
            v++;
        }
        cr_assert(nvalues < MAX_VALUES);
        values[nvalues++] = strdup(v);
    }
    free(text);
    cr_assert(nvalues >= 50, "only %zu placeholder values", nvalues);
}

static void setup(void)
{
    dir = lh_tmpdir();
    cr_assert(dir != NULL);
    load_values();
}

static void teardown(void)
{
    for (size_t i = 0; i < nvalues; i++) {
        free(values[i]);
    }
    lh_rmtree(dir);
    free(dir);
}

TestSuite(catalogue_placeholders, .init = setup, .fini = teardown);

struct buf {
    char *p;
    size_t n, cap;
};

static void put(struct buf *b, const char *s)
{
    size_t n = strlen(s);
    if (b->n + n + 1 > b->cap) {
        b->cap = (b->n + n + 1) * 2;
        b->p = realloc(b->p, b->cap);
        cr_assert(b->p != NULL);
    }
    memcpy(b->p + b->n, s, n + 1);
    b->n += n;
}

/* One assignment of value to name in the syntax of file type ext. */
static void assign(struct buf *b, const char *ext, const char *name, const char *value, size_t i)
{
    char line[1024];
    if (!strcmp(ext, "env")) {
        snprintf(line, sizeof(line), "%s=%s\n", name, value);
    } else if (!strcmp(ext, "py")) {
        snprintf(line, sizeof(line), "%s = \"%s\"\n", name, value);
    } else if (!strcmp(ext, "js")) {
        snprintf(line, sizeof(line), "const %s_%zu = '%s';\n", name, i, value);
    } else if (!strcmp(ext, "json")) {
        snprintf(line, sizeof(line), "  \"%s_%zu\": \"%s\",\n", name, i, value);
    } else if (!strcmp(ext, "yml")) {
        snprintf(line, sizeof(line), "%s_%zu: \"%s\"\n", name, i, value);
    } else if (!strcmp(ext, "tf")) {
        snprintf(line, sizeof(line), "  %s_%zu = \"%s\"\n", name, i, value);
    } else if (!strcmp(ext, "md")) {
        snprintf(line, sizeof(line), "Set `%s` to `%s`.\n", name, value);
    } else if (!strcmp(ext, "go")) {
        snprintf(line, sizeof(line), "\t%s%zu = \"%s\"\n", name, i, value);
    } else {
        snprintf(line, sizeof(line), "    static final String %s_%zu = \"%s\";\n", name, i, value);
    }
    put(b, line);
}

static void write_type(const char *ext)
{
    static const char *const head[][2] = {
        {"env", "# .env\n"},          {"py", "import os\n"},
        {"js", "// config\n"},        {"json", "{\n"},
        {"yml", "config:\n"},         {"tf", "locals {\n"},
        {"md", "# Setup\n\n```\n"},   {"go", "package config\n\nconst (\n"},
        {"java", "class Config {\n"},
    };
    static const char *const tail[][2] = {
        {"json", "  \"end\": 0\n}\n"},
        {"tf", "}\n"},
        {"md", "```\n"},
        {"go", ")\n"},
        {"java", "}\n"},
    };
    struct buf b = {0};
    for (size_t h = 0; h < sizeof(head) / sizeof(head[0]); h++) {
        if (!strcmp(head[h][0], ext)) {
            put(&b, head[h][1]);
        }
    }
    size_t k = 0;
    for (size_t v = 0; v < nvalues; v++) {
        for (size_t l = 0; l < sizeof(labels) / sizeof(labels[0]); l++) {
            assign(&b, ext, labels[l], values[v], k++);
        }
    }
    for (size_t l = 0; l < sizeof(lines) / sizeof(lines[0]); l++) {
        assign(&b, ext, "value", lines[l], k++);
        put(&b, lines[l]);
        put(&b, "\n");
    }
    for (size_t t = 0; t < sizeof(tail) / sizeof(tail[0]); t++) {
        if (!strcmp(tail[t][0], ext)) {
            put(&b, tail[t][1]);
        }
    }
    char rel[32];
    snprintf(rel, sizeof(rel), "planted/config.%s", ext);
    lh_write_file(dir, rel, b.p, b.n);
    free(b.p);
}

Test(catalogue_placeholders, never_reported_in_any_file_type)
{
    static const char *const exts[] = {"env", "py", "js", "json", "yml", "tf", "md", "go", "java"};
    for (size_t e = 0; e < sizeof(exts) / sizeof(exts[0]); e++) {
        write_type(exts[e]);
    }
    struct lh_run r;
    lh_run_lh(&r, dir, NULL, "scan", "--format", "jsonl", "--enable-rule", "payment-card-number",
              "planted", NULL);
    cr_assert(eq(str, r.out, ""), "placeholders reported:\n%s", r.out);
    cr_assert(eq(int, r.status, 0), "stderr: %s", r.err);
    lh_run_dispose(&r);
}

Test(catalogue_placeholders, the_list_has_a_source_per_value)
{
    char *text = lh_read_file(LH_SOURCE_DIR "/rules/placeholders/placeholders.yml");
    cr_assert(text != NULL);
    size_t nv = 0;
    size_t ns = 0;
    for (const char *p = text; (p = strstr(p, "- value: ")) != NULL; p++) {
        nv++;
    }
    for (const char *p = text; (p = strstr(p, "\n    source: ")) != NULL; p++) {
        ns++;
    }
    cr_assert(eq(sz, nv, ns));
    free(text);
}

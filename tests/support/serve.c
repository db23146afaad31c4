/* SPDX-License-Identifier: MIT */
/*
 * The `leakhound serve` launcher for the tests (serve.h): start on 127.0.0.1 with port 0,
 * read the bound ports from the structured log, stop with a bounded wait and a check of the
 * log for sanitizer reports, kill leftovers; and reading exposition text and
 * /proc/<pid>/status. Calls neither libcurl nor libmicrohttpd.
 */
#include "support/serve.h"

#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* pids of servers not stopped yet (the th_server itself may be gone with its stack) */
#define MAX_LIVE 16
static int live[MAX_LIVE];

static void track(int pid, bool on)
{
    for (size_t i = 0; i < MAX_LIVE; i++) {
        if (live[i] == (on ? 0 : pid)) {
            live[i] = on ? pid : 0;
            return;
        }
    }
}

void th_server_kill_all(void)
{
    for (size_t i = 0; i < MAX_LIVE; i++) {
        if (live[i] > 0) {
            kill(live[i], SIGKILL);
            waitpid(live[i], NULL, 0);
            live[i] = 0;
        }
    }
}

int th_server_start(struct th_server *s, const char *dir, const char *const *args)
{
    const char *argv[64];
    char log[4096];
    size_t n = 0;
    memset(s, 0, sizeof(*s));
    argv[n++] = LH_BIN;
    argv[n++] = "serve";
    argv[n++] = "--listen";
    argv[n++] = "127.0.0.1:0";
    for (size_t i = 0; args && args[i] && n < 62; i++) {
        argv[n++] = args[i];
    }
    argv[n] = NULL;
    snprintf(log, sizeof(log), "%s/serve.log", dir);
    if (lh_proc_start(&s->proc, dir, argv, log) != 0) {
        return -1;
    }
    s->pid = s->proc.pid;
    track(s->pid, true);
    char *text = lh_proc_wait_log(&s->proc, "\"event\":\"listening\"", 20000);
    if (!text) {
        char *all = lh_read_file(log);
        fprintf(stderr, "leakhound serve did not start; log:\n%s\n", all ? all : "");
        free(all);
        return -1;
    }
    const char *hit = strstr(text, "\"event\":\"listening\"");
    const char *line = hit;
    while (line > text && line[-1] != '\n') {
        line--;
    }
    json_error_t je;
    json_t *j = json_loadb(line, strcspn(line, "\n"), 0, &je);
    s->port = (unsigned)json_integer_value(json_object_get(j, "port"));
    s->admin_port = (unsigned)json_integer_value(json_object_get(j, "admin_port"));
    json_decref(j);
    free(text);
    if (s->port == 0) {
        return -1;
    }
    snprintf(s->base, sizeof(s->base), "http://127.0.0.1:%u", s->port);
    snprintf(s->endpoint, sizeof(s->endpoint), "%s/github/secret-scanning", s->base);
    return 0;
}

int th_server_stop(struct th_server *s, char **log)
{
    track(s->pid, false);
    int st = lh_proc_stop(&s->proc, SIGTERM, 20000);
    char *text = lh_read_file(s->proc.log);
    if (lh_sanitizer_report_in(text)) {
        fprintf(stderr, "sanitizer report in the server log:\n%s\n", text);
        st = -2;
    }
    if (log) {
        *log = text;
    } else {
        free(text);
    }
    lh_proc_dispose(&s->proc);
    return st;
}

long long th_sample(const char *text, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = text; p && *p;) {
        if (strncmp(p, name, n) == 0 && p[n] == ' ') {
            return strtoll(p + n + 1, NULL, 10);
        }
        p = strchr(p, '\n');
        p = p ? p + 1 : NULL;
    }
    return -1;
}

long th_proc_status_kib(int pid, const char *field)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/status", pid);
    char *text = lh_read_file(path);
    long v = -1;
    size_t n = strlen(field);
    for (const char *p = text; p && *p;) {
        if (strncmp(p, field, n) == 0 && p[n] == ':') {
            v = strtol(p + n + 1, NULL, 10);
            break;
        }
        p = strchr(p, '\n');
        p = p ? p + 1 : NULL;
    }
    free(text);
    return v;
}

/* SPDX-License-Identifier: MIT */
/* Shared bits of the notify tests; see notify.h. */
#include "support/notify.h"

#include "support/support.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

void t_env(void)
{
    setenv("LEAKHOUND_REVOKE_BACKOFF_MS", "5", 1);
    setenv("LEAKHOUND_REVOKE_SECRET", T_SECRET, 1);
    unsetenv("LEAKHOUND_STATE_DIR");
    static const char *const proxies[] = {"http_proxy",  "HTTP_PROXY", "https_proxy",
                                          "HTTPS_PROXY", "all_proxy",  "ALL_PROXY"};
    for (size_t i = 0; i < sizeof(proxies) / sizeof(proxies[0]); i++) {
        unsetenv(proxies[i]);
    }
}

void t_token(char out[41], unsigned i)
{
    char body[31];
    snprintf(body, sizeof(body), "Rk7Pq2Wm9Xv4Tz8Lb3Nc6Hd1J%05u", i);
    lh_make_github_token(out, "ghp_", body);
}

struct lh_revoke_item t_item(const char *tok)
{
    struct lh_revoke_item it = {
        .rule_id = "github-pat-classic",
        .provider = "GitHub",
        .confidence = LH_CONF_CONFIRMED,
        .token = (const uint8_t *)tok,
        .token_len = strlen(tok),
        .source = "scan",
        .path = "config/app.env",
        .line = 3,
        .commit = NULL,
        .repository = "example/app",
    };
    return it;
}

struct lh_revoke_route t_route(const char *url)
{
    struct lh_revoke_route r;
    lh_revoke_route_init(&r);
    r.url = (char *)url;
    r.secret_env = (char *)"LEAKHOUND_REVOKE_SECRET";
    r.timeout = 5;
    r.connect_timeout = 2;
    return r;
}

uint16_t t_closed_port(void)
{
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(sa);
    if (bind(s, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
        getsockname(s, (struct sockaddr *)&sa, &len) != 0) {
        close(s);
        return 0;
    }
    close(s);
    return ntohs(sa.sin_port);
}

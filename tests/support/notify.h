/* SPDX-License-Identifier: MIT */
/* Shared bits of the notify tests: environment, tokens, items, a closed port. */
#ifndef LH_TEST_SUPPORT_NOTIFY_H
#define LH_TEST_SUPPORT_NOTIFY_H

#include "notify/revoke.h"

#include <stddef.h>
#include <stdint.h>

#define T_SECRET "whsec_5b0e9f2a7c41d8e3"

/* Fast backoff, the signing secret, no proxies, no inherited state dir. */
void t_env(void);
/* The i-th distinct checksum-valid ghp_ token (i < 1000). */
void t_token(char out[41], unsigned i);
/* A confirmed github-pat-classic item for tok. */
struct lh_revoke_item t_item(const char *tok);
/* A route to url for all rules, signed with T_SECRET through $LEAKHOUND_REVOKE_SECRET. */
struct lh_revoke_route t_route(const char *url);
/* A loopback port with nothing listening (bound then closed). */
uint16_t t_closed_port(void);

#endif

/* SPDX-License-Identifier: MIT */
/* Rule descriptions and remediation texts for reports; see help.h. */
#include "report/help.h"

#include <string.h>

const char *lh_report_rule_link(const struct lh_rule *r)
{
    for (size_t i = 0; i < r->references.count; i++) {
        const char *u = r->references.items[i];
        if (!strncmp(u, "https://", 8) || !strncmp(u, "http://", 7)) {
            return u;
        }
    }
    return NULL;
}

/* NUL-terminates out without counting the NUL in its length. */
static int terminate(struct lh_buf *out)
{
    int rc = lh_buf_putc(out, '\0');
    if (rc == 0) {
        out->len--;
    }
    return rc;
}

int lh_report_rule_description(struct lh_buf *out, const struct lh_rule *r)
{
    if (r->description && *r->description) {
        return lh_buf_puts(out, r->description) < 0 ? LH_ENOMEM : terminate(out);
    }
    /* built from the rule's fields: what it is, how it is recognised, what it gives */
    int rc = lh_buf_printf(out, "%s", r->name);
    if (rc == 0 && r->provider) {
        rc = lh_buf_printf(out, ", issued by %s", r->provider);
    }
    if (rc == 0 && r->keywords.count) {
        rc = lh_buf_puts(out, ", recognised by ");
        for (size_t i = 0; rc == 0 && i < r->keywords.count && i < 4; i++) {
            rc = lh_buf_printf(out, "%s`%s`",
                               i ? (i + 1 == r->keywords.count || i == 3 ? " or " : ", ") : "",
                               r->keywords.items[i]);
        }
    }
    if (rc == 0 && r->validator) {
        rc = lh_buf_printf(out, " and confirmed offline by its %s check", r->validator);
    }
    if (rc == 0) {
        rc = lh_buf_puts(out, ". Whoever holds it can act with the access it was issued with, "
                              "until it is revoked.");
    }
    return rc < 0 ? LH_ENOMEM : terminate(out);
}

int lh_report_rule_remediation(struct lh_buf *out, const struct lh_rule *r)
{
    int rc = 0;
    if (r->remediation && *r->remediation) {
        rc = lh_buf_puts(out, r->remediation);
    } else {
        const char *link = lh_report_rule_link(r);
        rc = lh_buf_printf(out, "Revoke or rotate it with %s first",
                           r->provider ? r->provider : "its issuer");
        if (rc == 0 && link) {
            rc = lh_buf_printf(out, " (see %s)", link);
        }
        if (rc == 0) {
            rc = lh_buf_puts(out, ": deleting it from the code leaves it in the git history "
                                  "and in every clone, fork and CI log that has it.");
        }
    }
    if (rc == 0) {
        rc = lh_buf_puts(out, " Then load the new value from a secret store or the "
                              "environment instead of the repository. A test or example value "
                              "can be allowed with a `leakhound:allow` comment on its line, and "
                              "an accepted finding recorded in the baseline (`leakhound "
                              "baseline create`).");
    }
    return rc < 0 ? LH_ENOMEM : terminate(out);
}

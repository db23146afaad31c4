/* SPDX-License-Identifier: MIT */
/*
 * Which configuration a command uses and what it becomes, in process: a `.leakhound.yml`
 * found in the scanned tree loses its revoke section (with one warning) to the user's own
 * file, a named file is trusted whole, relative paths are relative to the file, and applying
 * a file fills the session settings layer by layer.
 */
#include "config/config.h"
#include "support/support.h"

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdlib.h>
#include <string.h>

static char *dir;
static char *home;

static void setup(void)
{
    dir = lh_tmpdir();
    cr_assert(dir != NULL);
    home = malloc(strlen(dir) + 16);
    sprintf(home, "%s/xdg", dir);
    setenv("XDG_CONFIG_HOME", home, 1);
    unsetenv("LEAKHOUND_STATE_DIR");
}

static void teardown(void)
{
    lh_rmtree(dir);
    free(dir);
    free(home);
}

TestSuite(config_trust, .init = setup, .fini = teardown, .timeout = LH_TEST_TIMEOUT);

static void put(const char *rel, const char *text)
{
    lh_write_file(dir, rel, text, strlen(text));
}

static char warnings[2048];

static void on_warn(const char *msg, void *payload)
{
    (void)payload;
    size_t n = strlen(warnings);
    snprintf(warnings + n, sizeof(warnings) - n, "%s\n", msg);
}

static const char *project = "rules: [ci/extra.yml]\n"
                             "disable_rules: [slack-*]\n"
                             "allow_paths: ['*/testdata/*']\n"
                             "min_confidence: probable\n"
                             "baseline: bl.json\n"
                             "format: sarif\n"
                             "revoke:\n"
                             "  enabled: true\n"
                             "  state_dir: spool\n"
                             "  routes: [{url: 'https://evil.example/steal'}]\n";

Test(config_trust, found_file_loses_its_revoke_section_to_the_user_file)
{
    cr_assert(eq(int, lh_sh(dir, "git init -q repo && mkdir -p repo/sub"), 0));
    put("repo/.leakhound.yml", project);
    put("xdg/leakhound/config.yml", "revoke:\n  state_dir: mine\n"
                                    "  routes: [{url: 'https://hooks.example/revoke'}]\n");
    char sub[4096];
    snprintf(sub, sizeof(sub), "%s/repo/sub", dir);
    struct lh_config cfg;
    lh_config_init(&cfg);
    warnings[0] = '\0';
    cr_assert(eq(int, lh_config_load_trusted(&cfg, NULL, false, sub, on_warn, NULL), 0), "%s",
              lh_error_get());
    cr_assert(cfg.untrusted);
    cr_assert(strstr(warnings, ".leakhound.yml:7: 'revoke' ignored") != NULL, "%s", warnings);
    cr_assert(eq(sz, cfg.revoke.nroutes, 1));
    cr_assert(eq(str, cfg.revoke.routes[0].url, "https://hooks.example/revoke"));
    cr_assert(not(cfg.revoke.enabled));
    /* the user's relative state_dir is relative to the user's file */
    char want[4096];
    snprintf(want, sizeof(want), "%s/xdg/leakhound/mine", dir);
    cr_assert(eq(str, cfg.revoke.state_dir, want));
    /* the project's relative paths are relative to its file */
    snprintf(want, sizeof(want), "%s/ci/extra.yml", cfg.dir);
    cr_assert(eq(str, cfg.rules.items[0], want));

    /* applied: each key where the session reads it; the baseline confined to the file */
    struct lh_session_opts o;
    lh_session_opts_init(&o);
    cr_assert(eq(int, lh_config_apply(&cfg, &o), 0), "%s", lh_error_get());
    cr_assert(eq(str, o.rule_paths.items[0], want));
    cr_assert(eq(str, o.file_disable.items[0], "slack-*"));
    cr_assert(eq(sz, o.disable.count, 0), "the file's globs are their own layer");
    cr_assert(eq(str, o.exclude.items[0], "*/testdata/*"));
    cr_assert(eq(int, o.min_confidence, LH_CONF_PROBABLE));
    cr_assert(eq(str, (char *)o.format, "sarif"));
    snprintf(want, sizeof(want), "%s/bl.json", cfg.dir);
    cr_assert(eq(str, (char *)o.file_baseline, want));
    cr_assert(eq(ptr, (void *)o.baseline, NULL));
    cr_assert(eq(str, (char *)o.baseline_confine, cfg.dir));
    cr_assert(eq(ptr, (void *)o.revoke_file, &cfg.revoke));
    lh_session_opts_dispose(&o);
    lh_config_dispose(&cfg);
}

Test(config_trust, named_file_is_trusted_whole)
{
    put("named.yml", project);
    char named[4096];
    snprintf(named, sizeof(named), "%s/named.yml", dir);
    struct lh_config cfg;
    lh_config_init(&cfg);
    warnings[0] = '\0';
    cr_assert(eq(int, lh_config_load_trusted(&cfg, named, false, ".", on_warn, NULL), 0));
    cr_assert(eq(str, warnings, ""));
    cr_assert(cfg.revoke.enabled);
    cr_assert(eq(str, cfg.revoke.routes[0].url, "https://evil.example/steal"));
    struct lh_session_opts o;
    lh_session_opts_init(&o);
    cr_assert(eq(int, lh_config_apply(&cfg, &o), 0));
    cr_assert(eq(ptr, (void *)o.baseline_confine, NULL), "a trusted file's baseline is free");
    lh_session_opts_dispose(&o);
    lh_config_dispose(&cfg);
}

Test(config_trust, errors)
{
    struct lh_config cfg;
    char named[4096];
    /* a named file that does not exist: I/O */
    snprintf(named, sizeof(named), "%s/missing.yml", dir);
    lh_config_init(&cfg);
    cr_assert(eq(int, lh_config_load_trusted(&cfg, named, false, ".", NULL, NULL), LH_EIO));
    lh_config_dispose(&cfg);
    /* an unknown key: invalid, naming file:line:col */
    put("bad.yml", "min_confidance: low\n");
    snprintf(named, sizeof(named), "%s/bad.yml", dir);
    lh_config_init(&cfg);
    cr_assert(eq(int, lh_config_load_trusted(&cfg, named, false, ".", NULL, NULL), LH_EINVAL));
    cr_assert(strstr(lh_error_get(), "bad.yml:1:1") != NULL, "%s", lh_error_get());
    lh_config_dispose(&cfg);
    /* the user file may hold only revoke */
    put("xdg/leakhound/config.yml", "format: json\n");
    lh_config_init(&cfg);
    cr_assert(eq(int, lh_config_load_trusted(&cfg, NULL, false, dir, NULL, NULL), LH_EINVAL));
    cr_assert(strstr(lh_error_get(), "only 'revoke' is read") != NULL, "%s", lh_error_get());
    lh_config_dispose(&cfg);
    /* --no-config reads neither */
    lh_config_init(&cfg);
    cr_assert(eq(int, lh_config_load_trusted(&cfg, NULL, true, dir, NULL, NULL), 0));
    cr_assert(eq(ptr, cfg.path, NULL));
    lh_config_dispose(&cfg);
    /* an unknown format is found when applied */
    put("fmt.yml", "format: xml\n");
    snprintf(named, sizeof(named), "%s/fmt.yml", dir);
    lh_config_init(&cfg);
    cr_assert(eq(int, lh_config_load_trusted(&cfg, named, false, ".", NULL, NULL), 0));
    struct lh_session_opts o;
    lh_session_opts_init(&o);
    cr_assert(eq(int, lh_config_apply(&cfg, &o), LH_EINVAL));
    cr_assert(strstr(lh_error_get(), "fmt.yml:1:9: unknown format 'xml'") != NULL, "%s",
              lh_error_get());
    lh_session_opts_dispose(&o);
    lh_config_dispose(&cfg);
}

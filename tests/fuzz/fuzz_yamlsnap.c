/* SPDX-License-Identifier: MIT */
/*
 * Fuzz harness: parsed YAML snapshots (util/yaml.h), the form in which the built-in rules and
 * placeholder lists are embedded. An input that starts with the snapshot magic "LHYS" goes to
 * lh_yaml_load_snapshot as a blob; any other input is YAML text for lh_yaml_load. Every
 * failure is LH_EINVAL / LH_ETOOBIG / LH_ENOMEM with a one-line message naming the input.
 * A document that loads must survive the round trip the build relies on: dumped with
 * lh_yaml_dump_snapshot (YAML with %YAML / %TAG directives is refused there, with
 * LH_EINVAL) and loaded back, it compares equal (lh_yaml_compare), its nodes link only to
 * existing nodes, and it dumps to the same bytes again.
 */
#include "fuzz/common.h"
#include "util/yaml.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static void check_failure(int rc, const char *name)
{
    LH_FUZZ_CHECK(rc == LH_EINVAL || rc == LH_ETOOBIG || rc == LH_ENOMEM);
    LH_FUZZ_CHECK(rc == LH_ENOMEM || strstr(lh_error_get(), name) != NULL);
    LH_FUZZ_CHECK(strchr(lh_error_get(), '\n') == NULL);
}

static void check_links(yaml_document_t *doc)
{
    for (yaml_node_t *n = doc->nodes.start; n < doc->nodes.top; n++) {
        if (n->type == YAML_SEQUENCE_NODE) {
            for (yaml_node_item_t *it = n->data.sequence.items.start;
                 it < n->data.sequence.items.top; it++) {
                LH_FUZZ_CHECK(yaml_document_get_node(doc, *it) != NULL);
            }
        } else if (n->type == YAML_MAPPING_NODE) {
            for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top;
                 p++) {
                LH_FUZZ_CHECK(yaml_document_get_node(doc, p->key) != NULL);
                LH_FUZZ_CHECK(yaml_document_get_node(doc, p->value) != NULL);
            }
        } else {
            LH_FUZZ_CHECK(n->type == YAML_SCALAR_NODE);
            LH_FUZZ_CHECK(n->data.scalar.value[n->data.scalar.length] == '\0');
        }
    }
}

static void round_trip(yaml_document_t *doc, const char *name, bool from_text)
{
    uint8_t *snap = NULL;
    size_t len = 0;
    int rc = lh_yaml_dump_snapshot(&snap, &len, name, doc);
    if (rc < 0) {
        /* only text can carry directives; a rebuilt document never has them */
        LH_FUZZ_CHECK(from_text && (rc == LH_EINVAL || rc == LH_ETOOBIG || rc == LH_ENOMEM));
        check_failure(rc, name);
        return;
    }
    yaml_document_t back;
    rc = lh_yaml_load_snapshot(&back, name, snap, len);
    LH_FUZZ_CHECK(rc == 0 || rc == LH_ENOMEM);
    if (rc == 0) {
        LH_FUZZ_CHECK(lh_yaml_compare(name, doc, &back) == 0);
        uint8_t *again = NULL;
        size_t again_len = 0;
        rc = lh_yaml_dump_snapshot(&again, &again_len, name, &back);
        LH_FUZZ_CHECK(rc == 0 || rc == LH_ENOMEM);
        LH_FUZZ_CHECK(rc < 0 || (again_len == len && memcmp(again, snap, len) == 0));
        free(again);
        yaml_document_delete(&back);
    }
    free(snap);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    bool is_snapshot = size >= 4 && memcmp(data, "LHYS", 4) == 0;
    const char *name = is_snapshot ? "fuzz.snap" : "fuzz.yml";
    yaml_document_t doc;
    int rc = is_snapshot ? lh_yaml_load_snapshot(&doc, name, data, size)
                         : lh_yaml_load(&doc, name, data, size);
    if (rc < 0) {
        check_failure(rc, name);
    } else {
        check_links(&doc);
        round_trip(&doc, name, !is_snapshot);
        yaml_document_delete(&doc);
    }
    lh_error_clear();
    return 0;
}

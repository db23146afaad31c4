/* SPDX-License-Identifier: MIT */
/*
 * GitHub's public test vectors for the partner program (reference part 1, section 1.6):
 * the key list as served, three signed bodies, and their signatures. Test data only.
 */
#ifndef LH_TEST_SUPPORT_PARTNER_VECTORS_H
#define LH_TEST_SUPPORT_PARTNER_VECTORS_H

#define KEY_A_ID "bcb53661c06b4728e59d897fb6165d5c9cda0fd9cdf9d09ead458168deb7518c"
#define KEY_B_ID "90a421169f0a406205f1563a953312f0be898d3c7b6c06b681aa86a874555f4a"
#define KEY_C_ID "f9525bf080f75b3506ca1ead061add62b8633a346606dc5fe544e29231c6ee0d"
#define PEM_A                                                                                      \
    "-----BEGIN PUBLIC KEY-----\\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEYAGMWO8XgCamYKMJS6jc/"       \
    "qgvSlAd\\nAjPuDPRcXU22YxgBrz+zoN19MzuRyW87qEt9/AmtoNP5GrobzUvQSyJFVw==\\n-----END PUBLIC "    \
    "KEY-----\\n"
#define PEM_B                                                                                      \
    "-----BEGIN PUBLIC "                                                                           \
    "KEY-----\\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE9MJJHnMfn2+H4xL4YaPDA4RpJqUq\\n"               \
    "kCmRCBnYERxZanmcpzQSXs1X/AljlKkbJ8qpVIW4clayyef9gWhFbNHWAA==\\n-----END PUBLIC KEY-----\\n"
#define PEM_C                                                                                      \
    "-----BEGIN PUBLIC "                                                                           \
    "KEY-----\\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEsz9ugWDj5jK5ELBK42ynytbo38gP\\n"               \
    "HzZFI03Exwz8Lh/tCfL3YxwMdLjB+bMznsanlhK0RwcGP3IDb34kQDIo3Q==\\n-----END PUBLIC KEY-----\\n"

/* GitHub's key list as served (the sentry / octokit fixture) plus the older test key. */
static const char github_keys[] =
    "{\"public_keys\":[{\"key_identifier\":\"" KEY_B_ID "\",\"key\":\"" PEM_B
    "\",\"is_current\":false},{\"key_identifier\":\"" KEY_A_ID "\",\"key\":\"" PEM_A
    "\",\"is_current\":true},{\"key_identifier\":\"" KEY_C_ID "\",\"key\":\"" PEM_C
    "\",\"is_current\":false}]}";

static const char body_a[] = "[{\"source\":\"commit\",\"token\":\"some_token\",\"type\":"
                             "\"some_type\",\"url\":\"https://example.com/base-repo-url/\"}]";
static const char sig_a[] = "MEQCIQDaMKqrGnE27S0kgMrEK0eYBmyG0LeZismAEz/BgZyt7AIfXt9fErtRS4XaeSt/"
                            "AO1RtBY66YcAdjxji410VQV4xg==";
static const char body_b[] =
    "[{\"token\": \"some_token\", \"type\": \"some_type\", \"url\": \"some_url\"}]";
static const char sig_b[] = "MEUCICxTWEpKo7BorLKutFZDS6ie+YFg6ecU7kEA6rUUSJqsAiEA9bK0Iy6vk2QpZOOg2"
                            "IpBhZ3JRVdwXx1zmgmNAR7Izpc=";
static const char body_c[] = "[{\"token\":\"some_token\",\"type\":\"some_type\",\"url\":\"some_"
                             "url\",\"source\":\"some_source\"}]";
static const char sig_c[] = "MEUCIFLZzeK++IhS+y276SRk2Pe5LfDrfvTXu6iwKKcFGCrvAiEAhHN2kDOhy2I6eGkO"
                            "FmxNkOJ+L2y8oQ9A2T9GGJo6WJY=";

#endif

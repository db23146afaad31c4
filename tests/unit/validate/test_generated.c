/* SPDX-License-Identifier: MIT */
/*
 * Tokens produced by scripts/mktoken.py (two per kind, pasted as literals): every one must
 * pass its validator, checksum kinds must fail with any single character changed, and every
 * validator must stay inside its input when that input ends right before a PROT_NONE page
 * (each prefix and suffix of each token). Regenerate the table with
 * `python3 scripts/mktoken.py -n 2 KIND` when a format changes.
 */
#include "support/validate.h"

struct generated {
    const char *kind;
    const char *validator;
    const char *token;
    const char *k1, *v1, *k2, *v2, *k3, *v3;
};

static const struct generated generated[] = {
    {"ghp", "github-crc32", "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", NULL, NULL, NULL, NULL,
     NULL, NULL},
    {"ghp", "github-crc32", "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", NULL, NULL, NULL, NULL,
     NULL, NULL},
    {"gho", "github-crc32", "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", NULL, NULL, NULL, NULL,
     NULL, NULL},
    {"gho", "github-crc32", "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", NULL, NULL, NULL, NULL,
     NULL, NULL},
    {"ghu", "github-crc32", "ghu_JlTcVuMz7de8eRtekJvFeeAEdwhk6M0XEh3l", NULL, NULL, NULL, NULL,
     NULL, NULL},
    {"ghu", "github-crc32", "ghu_hZNFEaYlO9Gh4H7uoFyBTP3qa87HfV114Khh", NULL, NULL, NULL, NULL,
     NULL, NULL},
    {"ghs", "github-crc32", "ghs_y2mkSW43sL86z7xaSQDDgnUT9ZEaZI0GUVSH", NULL, NULL, NULL, NULL,
     NULL, NULL},
    {"ghs", "github-crc32", "ghs_50K8kkN1cTlmu1Y4lJnttmhskmXgTu1IUMJy", NULL, NULL, NULL, NULL,
     NULL, NULL},
    {"ghr", "github-crc32",
     "ghr_KQJ6ZB8mFY3uC1bJewt5JHLbQD4CjNOmSY3aFuEOli98e6l9CQ1Cy7l1CQd6EYdYZwssB70bTAAT", NULL, NULL,
     NULL, NULL, NULL, NULL},
    {"ghr", "github-crc32",
     "ghr_gT6qihcMkFbag4ucBt012LucPH5n4kVX3kL0JcXsRk4n6nG6ojPwcy7gnPkplv6ueedpPX0UzadJ", NULL, NULL,
     NULL, NULL, NULL, NULL},
    {"npm", "github-crc32", "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", NULL, NULL, NULL, NULL,
     NULL, NULL},
    {"npm", "github-crc32", "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", NULL, NULL, NULL, NULL,
     NULL, NULL},
    {"github_pat", "github-pat-sha256-b32",
     "github_pat_11JCT41NOFNQZaTFRVF4rP_jNzzcT6AE450tc6l2ZOO5Ww4wmbdjmX5V2zIfNnyOcb2HFNWK7"
     "IWGoieYuZ",
     NULL, NULL, NULL, NULL, NULL, NULL},
    {"github_pat", "github-pat-sha256-b32",
     "github_pat_11Y68K802ZOOZaW71qFdPZ_FJCW87TWUzc7j4BB7jx5uEhLgLMrtbmSSbLfhHVdRErF6F7QNZ"
     "M8AxXJpwk",
     NULL, NULL, NULL, NULL, NULL, NULL},
    {"glsa", "crc32-le-hex", "glsa_uLBm66CCWjPbnbVT5wcW2ah68PvCIdy6_a9e4cee5", NULL, NULL, NULL,
     NULL, NULL, NULL},
    {"glsa", "crc32-le-hex", "glsa_VD3QZ02KmH9oCIrE7zPzBg7iixXsV4hn_53971ba6", NULL, NULL, NULL,
     NULL, NULL, NULL},
    {"atlassian", "crc32-hex",
     "ATATT3xFfGF0AZYDUw950BcSLnA1w-hVZ6RzcStZcvtL6mpNpykO-nh-kaw6fiFU46zlndVod2qBwBOfFpif"
     "wgwxz9yHNMBHA358lVT20PAjqcToAYt-gZgUSTAJv8xElouVdAPl5JoNjwW5yJevL3D3E6FVPw6cAWzTDIWE"
     "Nr5IY3L8T2QqrDN=D92DE283",
     "separator", "=", "covers", "through_separator", "case", "upper"},
    {"atlassian", "crc32-hex",
     "ATATT3xFfGF0ahC00cTfTFAYI2Py1r2QVexA_9QrfY5aS0JwXNrNlaMZ5S2EuHoSrFeK_5wzh61FhpZ9B_5X"
     "qkmDr92h9RBjLNFHxiHa_diN798mWDzm3z4PGXVXvLJ5I3r38ek5ACfJzkQ_OSPmk05aPfyksNHkN74kGLO4"
     "fVmsegTL4Ly3otb=427C1E3A",
     "separator", "=", "covers", "through_separator", "case", "upper"},
    {"zuplo", "crc32-hex", "zpka_0ce22172eaaad68dbb523818cde5330a_c63e3785", NULL, NULL, NULL, NULL,
     NULL, NULL},
    {"zuplo", "crc32-hex", "zpka_9647e81bebc89ffae0d6d2bb479ab0b9_a29ae6de", NULL, NULL, NULL, NULL,
     NULL, NULL},
    {"cflt", "crc32-le-b64", "cflt+Yw6TGnNHITjQifkpjRRy0ylc2UaSR3I+Y//1pp0CK/oNG45OtnImMeOOhjQ",
     NULL, NULL, NULL, NULL, NULL, NULL},
    {"cflt", "crc32-le-b64", "cfltenZMrpJP1cqo3knh1fTGx6LjFqnXgv1Ss6yJTwMeS77HJKbfJN051YgmOsnA",
     NULL, NULL, NULL, NULL, NULL, NULL},
    {"glpat", "gitlab-routable",
     "glpat-gR8ByWV7y4jIMUKNGUeoVmc6bmViagpvOjIxbHJ6CnU6ZTA3NmwW.01.1g1ff4oz0", NULL, NULL, NULL,
     NULL, NULL, NULL},
    {"glpat", "gitlab-routable",
     "glpat-jjJ7xW-6JYvyjnBC0TpgKGc6MnpmawpvOms1MXluCnU6enpiZjYW.01.1g06w0piw", NULL, NULL, NULL,
     NULL, NULL, NULL},
    {"aad", "azure-aad-secret", "xA08Q~2y-7uWsfbPQKHowhiQsWPqL9H7O_A_icBm", NULL, NULL, NULL, NULL,
     NULL, NULL},
    {"aad", "azure-aad-secret", "owe8Q~gyTMmRI~CsO-XezxvsxxaPQ0pZMxnnAcJT", NULL, NULL, NULL, NULL,
     NULL, NULL},
    {"ado", "azure-devops-pat", "tnc4zw3y6lr7symruqraizgmfe4vpb6lxtvwjynvvnlfeaaepb6a", NULL, NULL,
     NULL, NULL, NULL, NULL},
    {"ado", "azure-devops-pat", "vwn6jfuy5442eejzajrez2y557hqcveggezchhrylbycpehh5nwa", NULL, NULL,
     NULL, NULL, NULL, NULL},
    {"ado-app", "azure-devops-pat", "remfru3ed777ld5nzvmsd4ow7ydmj746c4aul3zhogclsz5rjmsa", NULL,
     NULL, NULL, NULL, NULL, NULL},
    {"ado-app", "azure-devops-pat", "2yawqogqirurq3p7alqiit7hkrhnlhapc5pbbubd7si74shqcc7q", NULL,
     NULL, NULL, NULL, NULL, NULL},
    {"cask", "cask",
     "13SUVKN5WIOFF1az2XEvGDKiScpKjeifnijpFzNLOQZAXcvwCqrwJQQJ992K2zAHwyv1NDMr7aV8TEST1kPY", NULL,
     NULL, NULL, NULL, NULL, NULL},
    {"cask", "cask",
     "rlpdGa87z7f4UXH5NckTcZtg4bnTvaxcSVAR3MK5XzW5GcxOVn5MJQQJ992KraKqRI5vrv7m2l68TEST1wh2", NULL,
     NULL, NULL, NULL, NULL, NULL},
    {"cask-long", "cask",
     "gdE97GjBrX6rEM3l7wk8Y4wRp2d0cshVuLwUxrkxNug4BQhd53NnJQQJ992KYlQLtqWR7fGGKXaiTESTd7C1"
     "Yw==",
     NULL, NULL, NULL, NULL, NULL, NULL},
    {"cask-long", "cask",
     "izKblV7EE34H7ACNCKbZtDGaddsGYzjHtPJEAc6uHiJhFGZBTfd0JQQJ992Kt38kSyH6JaRH0y4LTESTWiWH"
     "Fw==",
     NULL, NULL, NULL, NULL, NULL, NULL},
    {"stellar", "crc16-xmodem", "SBA73SMECMDQNNWS7MBFN2MLK36BAI5LDGV4IDNT2PAWU27SNVESIIOO", NULL,
     NULL, NULL, NULL, NULL, NULL},
    {"stellar", "crc16-xmodem", "SB3GMSNU4OCIE4CODA5DHH2DF6UPN7S3AHQUHZDSDD6FMDRE255IATSL", NULL,
     NULL, NULL, NULL, NULL, NULL},
    {"wif", "base58check", "5KKPv2kZ9esQf3KyKbzABjnAQdmN549WZPK7pAjg3WLv2yJL7fC", NULL, NULL, NULL,
     NULL, NULL, NULL},
    {"wif", "base58check", "5KMxabwBK4nBXFGKh17cZHyWrxG3wSKJyPwcsbBpqEZrsEFtKop", NULL, NULL, NULL,
     NULL, NULL, NULL},
    {"wif-compressed", "base58check", "L1decQyMwW82LSMAm95DTEqad7c32em4VSjqKE65Pzy8u1CHBSBk", NULL,
     NULL, NULL, NULL, NULL, NULL},
    {"wif-compressed", "base58check", "L5Pm2fCPYKSzbkBB5XLM9eiKVxoegKGSMwHLiU1qFgpAKM4BrjxF", NULL,
     NULL, NULL, NULL, NULL, NULL},
    {"wif-testnet", "base58check", "cUG5o6QR1KaGqAYXE2Hp3yCe5iNjFD5CQzFx8jc3dd2cb4UM2vH2", NULL,
     NULL, NULL, NULL, NULL, NULL},
    {"wif-testnet", "base58check", "cVsSLpacHnzi7iEmyc7d5PJc7zbXdjqNWKEEFWSRc2kNiFM8ttou", NULL,
     NULL, NULL, NULL, NULL, NULL},
    {"age", "bech32", "AGE-SECRET-KEY-1WTCDUZGTRY26XNZWCGLFNEJ6SKYHMHV0HSSHC9C33YGR5GECKN0SJD033T",
     "hrp", "age-secret-key-", "case", "upper", NULL, NULL},
    {"age", "bech32", "AGE-SECRET-KEY-1HQTH02T7XYXGLUV0A80YFE2F3XGLSQLJ9SPP74RTVNDAVJ92PVKQF0JMM9",
     "hrp", "age-secret-key-", "case", "upper", NULL, NULL},
    {"nsec", "bech32", "nsec13pkvn0dzf6zgr0kt6erhzfgq8hfjkzzkz9haqlk793xl9p9rnjkql5tmnu", "hrp",
     "nsec", "case", "lower", NULL, NULL},
    {"nsec", "bech32", "nsec19jy0rjzru6dlpr45hdrweq69hptnwqva49c9f9spvdhv0crjyh4q6pcjrp", "hrp",
     "nsec", "case", "lower", NULL, NULL},
    {"pan", "luhn", "4167456305517216", NULL, NULL, NULL, NULL, NULL, NULL},
    {"pan", "luhn", "4175898007336215", NULL, NULL, NULL, NULL, NULL, NULL},
    {"jwt", "jwt",
     "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI4MzU2OTkyMjYiLCJpYXQiOjE3OTUzODYwMjl"
     "9.OMMuczITSKCnsLAe425EMN1yKgrrwBYpcLKUDui0AqA",
     NULL, NULL, NULL, NULL, NULL, NULL},
    {"jwt", "jwt",
     "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI2NDc1NDYyMzYiLCJpYXQiOjE3OTUzODYwMjl"
     "9.S_m3CFieTs-s9UxmCw7lGAHxAiyKjcy7CW5wNdcKC4A",
     NULL, NULL, NULL, NULL, NULL, NULL},
    {"pypi", "pypi-macaroon",
     "pypi-AgEIcHlwaS5vcmcCJDM5MzliYTI1LWMzYjUtNDM4Ni1hYjZmLTM4NmFiMzRjZGIyMgACInsidmVyc2l"
     "vbiI6MSwicGVybWlzc2lvbnMiOiJ1c2VyIn0AAAYg6H39bxOx8lMw06ELCNTniYnm4MJNIvaUgIW1VyhNA9I",
     NULL, NULL, NULL, NULL, NULL, NULL},
    {"pypi", "pypi-macaroon",
     "pypi-AgEIcHlwaS5vcmcCJDFmM2ZlYzA1LTRlYWItNDBiMC1hMDk3LTU2YjcwYTQyZDM2YQACInsidmVyc2l"
     "vbiI6MSwicGVybWlzc2lvbnMiOiJ1c2VyIn0AAAYgtM6hh6cLPTkgExMhcXHCIr1gJm02_O4htQPP0e8VIWo",
     NULL, NULL, NULL, NULL, NULL, NULL},
    {"glc", "base64-json",
     "glc_eyJvIjoiMzUzOTAyNCIsIm4iOiJzdGFjay01ODU2OTgtaG0tcmVhZC10b2tlbiIsImsiOiJTbk9rN0lG"
     "TjNmTlo3YjVOVzdzaVRvb2IiLCJtIjp7InIiOiJwcm9kLXVzLWVhc3QtMCJ9fQ",
     "prefix", "glc_", "required_keys", "o,n,k,m.r", NULL, NULL},
    {"glc", "base64-json",
     "glc_eyJvIjoiMTQzNDU4MCIsIm4iOiJzdGFjay0zOTk3MDEtaG0tcmVhZC10b2tlbiIsImsiOiJwdFZBbDBZ"
     "dzJXWGxESmhGOWlQaGx2V1ciLCJtIjp7InIiOiJwcm9kLXVzLWVhc3QtMCJ9fQ",
     "prefix", "glc_", "required_keys", "o,n,k,m.r", NULL, NULL},
    {"sntrys", "base64-json",
     "sntrys_eyJpYXQiOjE3OTUzODYwMzAuNDg2ODA2LCJ1cmwiOiJodHRwczovL3NlbnRyeS5pbyIsInJlZ2lvb"
     "l91cmwiOiJodHRwczovL3VzLnNlbnRyeS5pbyIsIm9yZyI6ImV4YW1wbGUtM2Fvdm04In0=_9NQrJYDoLzoF"
     "4VTbt1xqBWhhdkqnPOPzkunRi1N9n2A",
     "split", "_", "part", "1", "required_keys", "iat,url,region_url,org"},
    {"sntrys", "base64-json",
     "sntrys_eyJpYXQiOjE3OTUzODYwMzAuNDg3MDYzLCJ1cmwiOiJodHRwczovL3NlbnRyeS5pbyIsInJlZ2lvb"
     "l91cmwiOiJodHRwczovL3VzLnNlbnRyeS5pbyIsIm9yZyI6ImV4YW1wbGUtZWs2djlzIn0=_/bBm7hSaWP1T"
     "B2lxNMCoKETHci0Xum5VfX46CXHlPKI",
     "split", "_", "part", "1", "required_keys", "iat,url,region_url,org"},
    {"ops", "base64-json",
     "ops_eyJzaWduSW5BZGRyZXNzIjoibXkuMXBhc3N3b3JkLmNvbSIsInVzZXJBdXRoIjp7Im1ldGhvZCI6IlNS"
     "UGctNDA5NiIsImFsZyI6IlBCRVMyZy1IUzI1NiIsIml0ZXJhdGlvbnMiOjY1MDAwMCwic2FsdCI6ImtvV1hC"
     "OFZ6dk5Wdlk3TEZWRjZWaHcifSwiZW1haWwiOiIwZmF5MWI2ZWxiN3A0QDFwYXNzd29yZHNlcnZpY2VhY2Nv"
     "dW50cy5jb20iLCJzcnBYIjoiMzA3YjQ2YjdiMDZkZDhjOGNjMDE5ZDZjY2VmM2RiNjk1MjM5MTI2ZmJiM2Mw"
     "ZWRjMzlhZDY1MDVmYzdjMTJmMyIsIm11ayI6eyJhbGciOiJBMjU2R0NNIiwiZXh0Ijp0cnVlLCJrIjoid0la"
     "Vk1fbVBRZmxFTHZZY1FySkZ2NDFzMTdsRVFSTVM5a2VwVGRkdWJ2USIsImtleV9vcHMiOlsiZW5jcnlwdCIs"
     "ImRlY3J5cHQiXSwia3R5Ijoib2N0Iiwia2lkIjoibXAifSwic2VjcmV0S2V5IjoiQTMtM01FWFNDLVNRU1JH"
     "T01MTDVGIiwiZGV2aWNlVXVpZCI6InZib2Z1emVxd3UydWw0aDU4dW5zbW13eTNsIn0",
     "prefix", "ops_", "encoding", "url", "required_keys", "signInAddress,userAuth.method"},
    {"ops", "base64-json",
     "ops_eyJzaWduSW5BZGRyZXNzIjoibXkuMXBhc3N3b3JkLmNvbSIsInVzZXJBdXRoIjp7Im1ldGhvZCI6IlNS"
     "UGctNDA5NiIsImFsZyI6IlBCRVMyZy1IUzI1NiIsIml0ZXJhdGlvbnMiOjY1MDAwMCwic2FsdCI6IkYwLTA3"
     "RHFVamZwY2dLek1RWS1DeGcifSwiZW1haWwiOiIzdHVnemt1N283OHV5QDFwYXNzd29yZHNlcnZpY2VhY2Nv"
     "dW50cy5jb20iLCJzcnBYIjoiOGJjZTA1MzFjMzhmMTJhYWYwZmE0NGYyOGUwNjRlNWMzMTAyMGU5OGFlNTlh"
     "NGRmMmJjNWMxYWJmNjQ1Zjk4NCIsIm11ayI6eyJhbGciOiJBMjU2R0NNIiwiZXh0Ijp0cnVlLCJrIjoiTC11"
     "bm5FS0RlUVlsWlpxZVFSMUJSUzRmQ2RJNlZWUnM4bHlqdGJmaUw5dyIsImtleV9vcHMiOlsiZW5jcnlwdCIs"
     "ImRlY3J5cHQiXSwia3R5Ijoib2N0Iiwia2lkIjoibXAifSwic2VjcmV0S2V5IjoiQTMtNDVIWUJSLUlQTFRM"
     "VUZDSUtWIiwiZGV2aWNlVXVpZCI6Imx2NDVxNXFxb3FmaG5lMnE0b2Y2ZHZvNXdjIn0",
     "prefix", "ops_", "encoding", "url", "required_keys", "signInAddress,userAuth.method"},
    {"openai", "openai-marker",
     "sk-proj-dAnc9QSmcwvminF91A8SUmpmcFUYjx9V_8x2LdoLhhfrYAvoyFeXNQffZ5Bq-Ab_raOYjwGgtST3"
     "BlbkFJNdC_9hEkuSLRST3p5PjAzApRBmetTVhRvVly8j1LYdLHsWeUKr6-QC9yQazYcTwtn6NEHP1TYj",
     NULL, NULL, NULL, NULL, NULL, NULL},
    {"openai", "openai-marker",
     "sk-proj-qgs2BPKocoubX7E7L5bVhAW6eVU5r1ieiLFUNeJ_V-LU2H5YxtbONpcz2dmuSWpVqGwIo9OeaXT3"
     "BlbkFJq1i_2MRbMKHRniZN6ih8yugBiVKt_LwjPn9q3ZLL3WwfETlyreOsPovfwBgJcOgg-2mJRWHXyI",
     NULL, NULL, NULL, NULL, NULL, NULL},
    {"openai-legacy", "openai-marker", "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", NULL,
     NULL, NULL, NULL, NULL, NULL},
    {"openai-legacy", "openai-marker", "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", NULL,
     NULL, NULL, NULL, NULL, NULL},
    {"openai-svcacct", "openai-marker",
     "sk-svcacct-GFmMPJmalMu9QVt1PNS8DGmyT2HPfp0uXubrglbmEgHiyTWq34J2atmFsoT3BlbkFJduUg4zg"
     "Xq96pf3tJ-wf31e2-WPjn_2sg4QOGYaLfQaqSxDobQMO5iroPqH",
     NULL, NULL, NULL, NULL, NULL, NULL},
    {"openai-svcacct", "openai-marker",
     "sk-svcacct-woM2saVoo5nw70V3B9vvJ3BFGdHgsi2Q0LvRS3TCO1rd9feRZQdiPIt0DwT3BlbkFJX3nEMTr"
     "o8l0iCjMRzFX_vXSIBUu7bjSTLx7tLN73JtOClx5uEBCDlNrv8S",
     NULL, NULL, NULL, NULL, NULL, NULL},
    {"anthropic", "anthropic-suffix",
     "sk-ant-api03-ZxBsm9sWp-eelpu_gmEQk3HOlbfiuHAfTAwmsU1JFtINjy44TTzoi9frrdIcX7NILyPmM6N"
     "ahMGi2VLd_XoB27pAgafuLAA",
     NULL, NULL, NULL, NULL, NULL, NULL},
    {"anthropic", "anthropic-suffix",
     "sk-ant-api03-eL81GL464baAD9aGkHqKV3DcC1nMjzIfyVunEN57BtMtkOQtY0c1wjWqpPiaU_4RCBO-VKD"
     "EnTdWvcc2oVPtuWaumjMiHAA",
     NULL, NULL, NULL, NULL, NULL, NULL},
    {"anthropic-admin", "anthropic-suffix",
     "sk-ant-admin01-2PBB2a8P7Iw_V6tB91EqfIK-PV7D3BW8K4LfxBnapoWH2Mt8vkWLq_hqV7P0UpslqiDk0"
     "x5dYKw5lkorcWRALS14QakI3AA",
     NULL, NULL, NULL, NULL, NULL, NULL},
    {"anthropic-admin", "anthropic-suffix",
     "sk-ant-admin01-QLeFNdC0-m36OUPh9mLUeVLVG8SgVr7YZeMX9CDf9UsCBNuAr2w5kAEZDmv8u6iZsuY7w"
     "5uHVbO8_09odCdOJVBxcvKGyAA",
     NULL, NULL, NULL, NULL, NULL, NULL},
    {"aws", "aws-key-id", "AKIALTPZ7IGBN3RHA3HU", NULL, NULL, NULL, NULL, NULL, NULL},
    {"aws", "aws-key-id", "AKIAXRM3SVBWZQNBYWHV", NULL, NULL, NULL, NULL, NULL, NULL},
    {"azure-storage", "marvin-identifiable",
     "UjsSVHvbRs6w/d3qCR7KJ7ZzUI0IRcn1+S1rXpX94I6TsoD2NO/GOrsFQAVMCujkpQgyM13/38e7+ASt5V+R"
     "Hw==",
     "signature", "+ASt", "seeds", "Default0", "urlsafe", "false"},
    {"azure-storage", "marvin-identifiable",
     "khT5gvwlH7uUwfpTPjEPT/GQsCJnySCF6CRo4CbWW/RlndgWOQbc8+Pssj3hWf8iJLfzT0uiwulT+ASt4y1T"
     "Qw==",
     "signature", "+ASt", "seeds", "Default0", "urlsafe", "false"},
    {"azure-cosmos", "marvin-identifiable",
     "uM2ZGKxSmIJndGmoE2C2wdmgHV6GiraEhssasw4R/j4YTDVz+rt+7icK6mdyf+0gxIBB3w0JCkHVACDb+DHv"
     "SA==",
     "signature", "ACDb", "seeds", "MastRO00,MastRW00", "urlsafe", "false"},
    {"azure-cosmos", "marvin-identifiable",
     "9mm0ieUKLgJRVFEQwjxnLpHD/n6NVUEdSJ9DW6McYIr3QvP5Q9XgEUVK7ZqIiaEm7SceAOIrwuBpACDbFF4P"
     "SQ==",
     "signature", "ACDb", "seeds", "MastRO00,MastRW00", "urlsafe", "false"},
    {"azure-batch", "marvin-identifiable",
     "Gwk6FT86LQs6XRKA5S+m4ZHgDLJOqbMqOTXfRgh2uZ4SRGKp7OubtbiXEAtUEMNVaM7Xm7q9iwkz+ABau8Yd"
     "FQ==",
     "signature", "+ABa", "seeds", "AbAcct00", "urlsafe", "false"},
    {"azure-batch", "marvin-identifiable",
     "MUi487aJgdSO0w/TxFn+csHYqYaU/8CgVuC1Dyxh9Td999YBhLRrCARK6zRVbA4Y4V76tSppTNvv+ABa/eoc"
     "Bg==",
     "signature", "+ABa", "seeds", "AbAcct00", "urlsafe", "false"},
    {"azure-apim", "marvin-identifiable",
     "N8bg0WRLyFV7/GFrrhzmRSF6MXwNEckZUo3EtIopRGyo5wotw6VqF3dzdIhmKP9LLYOslCWQ1ke1APIMzZL6"
     "Rg==",
     "signature", "APIM", "seeds", "Tenant00,IoTHub00,Gatewy00,GitKey00", "urlsafe", "false"},
    {"azure-apim", "marvin-identifiable",
     "ya97yXV6Gy+6I1siY0kT3xF2WOHlxD3EYlwPQB91sDnzk2bMfBzn2siXhYNQZsSgHcuBzxDnzDoiAPIMgBa1"
     "LQ==",
     "signature", "APIM", "seeds", "Tenant00,IoTHub00,Gatewy00,GitKey00", "urlsafe", "false"},
    {"azure-redis", "marvin-identifiable", "e6H2vbCrhEWBW6svJbBSPyUKaQ9Pd9oUmAzCaAEVY/A=",
     "signature", "AzCa", "seeds", "Access00", "urlsafe", "false"},
    {"azure-redis", "marvin-identifiable", "5CYGkY2JQZ5S0LP3//e9ZeH/EnopZpkYfAzCaNPtKHw=",
     "signature", "AzCa", "seeds", "Access00", "urlsafe", "false"},
    {"azure-iot", "marvin-identifiable", "fDNqCsFWClXjspCUDxoUTYW0tdWG+PU+EAIoTHUywe8=",
     "signature", "AIoT", "seeds", "IoTHub00,DpsKey00,Device00", "urlsafe", "false"},
    {"azure-iot", "marvin-identifiable", "lAEUQ2ewzaGNc5WO16NebkPEeiU+pyuMNAIoTFAnYog=",
     "signature", "AIoT", "seeds", "IoTHub00,DpsKey00,Device00", "urlsafe", "false"},
    {"azure-servicebus", "marvin-identifiable", "BlGUGueeHHF/bReSNWumQtPG5wXAMV/dx+ASbL13vkc=",
     "signature", "+ASb", "seeds", "Send0000,Listen00,Manage00", "urlsafe", "false"},
    {"azure-servicebus", "marvin-identifiable", "88olpdkdUcmGlVxibfED/PCiJCtIyjNvD+ASbL0JHIk=",
     "signature", "+ASb", "seeds", "Send0000,Listen00,Manage00", "urlsafe", "false"},
    {"azure-eventhub", "marvin-identifiable", "igPsQUVtk2umKapdcNf6oezJWwCMLbjuB+AEhGF+Zr4=",
     "signature", "+AEh", "seeds", "Send0000,Listen00,Manage00", "urlsafe", "false"},
    {"azure-eventhub", "marvin-identifiable", "RfiaPMB6dGOv30dzgs1wXk/3eRIB+f5V++AEhGdSsHY=",
     "signature", "+AEh", "seeds", "Send0000,Listen00,Manage00", "urlsafe", "false"},
    {"azure-relay", "marvin-identifiable", "gRBOeRF3AmkhWoZOQGmaplz3QZBDaFnjp+ARmKEV6lE=",
     "signature", "+ARm", "seeds", "Send0000,Listen00,Manage00", "urlsafe", "false"},
    {"azure-relay", "marvin-identifiable", "NyAvbr0f0Aygjwtf8CZSqHnRrz0BemaId+ARmF0qGJg=",
     "signature", "+ARm", "seeds", "Send0000,Listen00,Manage00", "urlsafe", "false"},
    {"azure-functions", "marvin-identifiable",
     "06TmyDFc8hVgE3QygHz0idslh_70XZMNco2u_a2BLAN8AzFufK97qA==", "signature", "AzFu", "seeds",
     "Functi00,Master00,System00", "urlsafe", "true"},
    {"azure-functions", "marvin-identifiable",
     "miQpMkw9qBf79BfsYMIYyywL5M1tV55913RXaBaS1GuRAzFuJuNJeg==", "signature", "AzFu", "seeds",
     "Functi00,Master00,System00", "urlsafe", "true"},
    {"azure-search", "marvin-identifiable", "ler1MG3Q0ehlJPAtZAgkKHzH45GS22o98kRA9OozEWAzSeAxv0Qu",
     "signature", "AzSe", "seeds", "Query000", "urlsafe", "true"},
    {"azure-search", "marvin-identifiable", "VZCj4skgMeMkwoWr8biFXRmsaUeBE0ipeNYPtEZEuKAzSeCdowP5",
     "signature", "AzSe", "seeds", "Query000", "urlsafe", "true"},
    {"azure-acr", "marvin-identifiable", "7T/ZHR0XzfTw1dlDz/7UNsvrIW2oDjfJaopDrHHDz9+ACRBkWTB/",
     "signature", "+ACR", "seeds", "ACRDflt0", "urlsafe", "false"},
    {"azure-acr", "marvin-identifiable", "VMXCAq6NnC5FcqReCLrlSTeRJRnSlSfUBECHcREqxP+ACRBirJKP",
     "signature", "+ACR", "seeds", "ACRDflt0", "urlsafe", "false"},
};

#define NGENERATED (sizeof(generated) / sizeof(generated[0]))

/* Structural validators: a changed character may well leave the structure intact. */
static bool is_checksum_kind(const struct generated *g)
{
    static const char *const structural[] = {"jwt",           "pypi-macaroon",    "base64-json",
                                             "openai-marker", "anthropic-suffix", "aws-key-id"};
    for (size_t i = 0; i < sizeof(structural) / sizeof(structural[0]); i++) {
        if (strcmp(g->validator, structural[i]) == 0) {
            return false;
        }
    }
    return true;
}

Test(validate_generated, every_token_passes)
{
    for (size_t i = 0; i < NGENERATED; i++) {
        const struct generated *g = &generated[i];
        cr_assert(vt_check(g->validator, g->token, g->k1, g->v1, g->k2, g->v2, g->k3, g->v3, NULL),
                  "%s: %s rejects %s", g->kind, g->validator, g->token);
    }
}

Test(validate_generated, checksum_kinds_fail_when_changed)
{
    for (size_t i = 0; i < NGENERATED; i++) {
        const struct generated *g = &generated[i];
        size_t tail = 0;
        if (!is_checksum_kind(g) || strcmp(g->validator, "luhn") == 0) {
            continue; /* Luhn: dropping a digit passes one time in ten, tested with vectors */
        }
        size_t from = 0;
        if (strcmp(g->validator, "github-crc32") == 0) {
            from = 4; /* the CRC covers the body only: ghp_ npm_ ... */
        } else if (strcmp(g->validator, "crc32-hex") == 0 && g->k1 == NULL) {
            from = 5; /* Zuplo: body only */
        }
        if (strcmp(g->validator, "github-pat-sha256-b32") == 0) {
            tail = 8; /* no known checksum over the last 8 characters */
        } else if (strcmp(g->validator, "azure-devops-pat") == 0) {
            tail = 1; /* the last character's low bits are padding */
        }
        vt_checksum_contract(g->validator, g->token, from, tail, g->k1, g->v1, g->k2, g->v2, g->k3,
                             g->v3);
    }
}

Test(validate_generated, every_validator_is_covered)
{
    for (const struct lh_validator *v = lh_validator_all(); v->name != NULL; v++) {
        if (strcmp(v->name, "private-key") == 0 || strcmp(v->name, "basic-auth-b64") == 0) {
            continue; /* not checksums: test_privkey.c and test_structural.c */
        }
        bool seen = false;
        for (size_t i = 0; i < NGENERATED && !seen; i++) {
            seen = strcmp(generated[i].validator, v->name) == 0;
        }
        cr_assert(seen, "no generated token for validator '%s'", v->name);
    }
}

Test(validate_generated, guard_page_every_prefix_and_suffix)
{
    for (size_t i = 0; i < NGENERATED; i++) {
        const struct generated *g = &generated[i];
        struct vt_rule r;
        vt_rule_init(&r, g->validator, g->k1, g->v1, g->k2, g->v2, g->k3, g->v3, NULL);
        vt_guard_validator(g->validator, &r.rule, g->token);
    }
}

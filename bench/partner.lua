-- SPDX-License-Identifier: MIT
-- wrk script for bench/load.sh: POSTs one pre-signed secret-scanning partner batch to
-- `leakhound serve`, exactly as GitHub would (raw body, key identifier and base64 DER
-- signature headers). The body and headers come from files named by the environment
-- (LH_BODY, LH_KEY_ID, LH_SIGNATURE) so that the same script serves every batch size.
-- done() prints one machine-readable LH_RESULT line; non-2xx answers count as errors.

local function slurp(path)
    local f = assert(io.open(path, "rb"), "cannot open " .. tostring(path))
    local s = f:read("*a")
    f:close()
    return s
end

local function trim(s)
    return (s:gsub("%s+$", ""))
end

wrk.method = "POST"
wrk.body = slurp(os.getenv("LH_BODY"))
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Github-Public-Key-Identifier"] = trim(slurp(os.getenv("LH_KEY_ID")))
wrk.headers["Github-Public-Key-Signature"] = trim(slurp(os.getenv("LH_SIGNATURE")))

function done(summary, latency, requests)
    local e = summary.errors
    local seconds = summary.duration / 1e6
    io.write(string.format(
        "LH_RESULT requests=%d rps=%.1f p50_ms=%.3f p99_ms=%.3f max_ms=%.3f non2xx=%d " ..
        "socket_errors=%d\n",
        summary.requests, summary.requests / seconds, latency:percentile(50) / 1000,
        latency:percentile(99) / 1000, latency.max / 1000, e.status,
        e.connect + e.read + e.write + e.timeout))
end

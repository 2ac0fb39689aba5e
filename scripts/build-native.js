#!/usr/bin/env node
// Part of `npm run build`: compile the training kernels written in AssemblyScript (assembly/kernels.ts)
// to WebAssembly with SIMD, into dist/native.wasm. The module imports the memory of TensorFlow.js's
// wasm backend and has none of its own (no runtime, no data, no exported memory).
"use strict";
const { spawnSync } = require("child_process");
const fs = require("fs");
const path = require("path");

const root = path.resolve(__dirname, "..");
const out = path.join(root, "dist", "native.wasm");
fs.mkdirSync(path.dirname(out), { recursive: true });
const asc = require.resolve("assemblyscript/bin/asc.js", { paths: [root] });
const flags = ["-O3", "--runtime", "stub", "--importMemory", "--noExportMemory", "--noAssert", "--enable", "simd"];
const result = spawnSync(process.execPath, [asc, path.join(root, "assembly", "kernels.ts"), ...flags, "--outFile", out], {
  stdio: "inherit",
});
if (result.status !== 0) {
  console.error(`build-native: asc failed (exit ${result.status}); dist/native.wasm not written`);
  process.exit(1);
}

#!/usr/bin/env node
// Part of `npm run build`: compile the training kernels written in AssemblyScript (assembly/kernels.ts)
// to WebAssembly with SIMD, twice: dist/native.wasm (SIMD) and dist/native-relaxed.wasm (SIMD and
// relaxed SIMD, whose multiply-add is one fused instruction where the processor has one; src/train/native.ts
// picks it when the engine accepts it). Each module imports the memory of TensorFlow.js's wasm backend
// and has none of its own (no runtime, no data, no exported memory).
"use strict";
const { spawnSync } = require("child_process");
const fs = require("fs");
const path = require("path");

const root = path.resolve(__dirname, "..");
fs.mkdirSync(path.join(root, "dist"), { recursive: true });
const asc = require.resolve("assemblyscript/bin/asc.js", { paths: [root] });
// Warning 112 ("exchange of v128 values"): the module's helpers pass SIMD values between its own files;
// the functions it exports take and return numbers only.
const flags = [
  "-O3",
  "--runtime",
  "stub",
  "--importMemory",
  "--noExportMemory",
  "--noAssert",
  "--enable",
  "simd",
  "--disableWarning",
  "112",
];
for (const [file, extra] of [
  ["native.wasm", []],
  ["native-relaxed.wasm", ["--enable", "relaxed-simd"]],
]) {
  const out = path.join(root, "dist", file);
  const result = spawnSync(process.execPath, [asc, path.join(root, "assembly", "kernels.ts"), ...flags, ...extra, "--outFile", out], {
    stdio: "inherit",
  });
  if (result.status !== 0) {
    console.error(`build-native: asc failed (exit ${result.status}); dist/${file} not written`);
    process.exit(1);
  }
}

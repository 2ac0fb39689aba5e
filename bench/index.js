#!/usr/bin/env node
// `npm run bench`: runs every bench/*.bench.js section in name order and prints its figures.
// Each section exports `async run({ json })` returning a plain object of figures.
// `npm run bench -- --json` prints one JSON object at the end; `-- <name>` runs only matching sections.
"use strict";
const fs = require("fs");
const path = require("path");

async function main() {
  const args = process.argv.slice(2);
  const json = args.includes("--json");
  const only = args.filter((a) => !a.startsWith("--"));
  const files = fs
    .readdirSync(__dirname)
    .filter((f) => f.endsWith(".bench.js"))
    .sort();
  const results = {};
  for (const file of files) {
    const name = file.replace(/\.bench\.js$/, "");
    if (only.length > 0 && !only.some((o) => name.includes(o))) continue;
    if (!json) console.log(`\n== ${name} ==`);
    results[name] = await require(path.join(__dirname, file)).run({ json });
  }
  if (json) console.log(JSON.stringify(results, null, 2));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

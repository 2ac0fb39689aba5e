#!/usr/bin/env node
"use strict";
require("../dist/course/cli.js").main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(2);
  },
);

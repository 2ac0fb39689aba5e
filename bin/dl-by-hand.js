#!/usr/bin/env node
"use strict";
// Exit codes: 0 done, 1 something failed, 2 a mistake on the command line (reported by main itself).
require("../dist/course/cli.js")
  .main(process.argv.slice(2))
  .then(
    (code) => process.exit(code),
    (err) => {
      console.error(`dl-by-hand: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    },
  );

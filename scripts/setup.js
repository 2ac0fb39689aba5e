#!/usr/bin/env node
// Run by `npm install` (the "prepare" script) after the build: link the package into
// node_modules so notebooks can `import * as dl from "dl-by-hand"`, then register the kernel.
"use strict";
const fs = require("fs");
const path = require("path");

const root = path.resolve(__dirname, "..");
const link = path.join(root, "node_modules", "dl-by-hand");

function ensureLink() {
  let stat;
  try {
    stat = fs.lstatSync(link);
  } catch {
    stat = null;
  }
  if (stat && stat.isSymbolicLink() && fs.realpathSync(link) === fs.realpathSync(root)) return;
  if (stat) {
    console.log(`dl-by-hand: ${link} exists and is not a link to this project; left it alone`);
    return;
  }
  fs.symlinkSync("..", link, "dir");
}

ensureLink();

const spec = require(path.join(root, "dist", "course", "kernelspec.js"));
if (spec.jupyterDataDir() === null && !process.env.JUPYTER_DATA_DIR) {
  console.log("dl-by-hand: Jupyter not found; to register the kernel later run: npm run kernel:install");
} else {
  console.log(`dl-by-hand: kernel "${spec.DISPLAY_NAME}" registered in ${spec.installKernel()}`);
}

#!/usr/bin/env node
// Build the JupyterLab 4 front end of scripts/lab/app.js into build/lab/<key>/, where <key> hashes
// package-lock.json and this folder: a second run with the same inputs reuses the build.
// The bundler is esbuild (seconds) instead of Lab's webpack builder (minutes on a small machine).
// Prints the folder on its last line. `--force` rebuilds.
"use strict";
const { createHash } = require("crypto");
const fs = require("fs");
const path = require("path");
const esbuild = require("esbuild");

const root = path.resolve(__dirname, "..", "..");
const here = __dirname;

/** The extension packages whose settings schemas Lab's server must serve. */
function labPackages() {
  const manifest = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
  return Object.keys(manifest.devDependencies).filter((name) => name.startsWith("@jupyterlab/") && name.endsWith("-extension"));
}

function cacheKey() {
  const hash = createHash("sha256");
  hash.update(fs.readFileSync(path.join(root, "package-lock.json")));
  for (const file of fs.readdirSync(here).sort()) {
    const full = path.join(here, file);
    if (fs.statSync(full).isFile()) hash.update(file).update(fs.readFileSync(full));
  }
  return hash.digest("hex").slice(0, 16);
}

function packageDir(name) {
  return path.dirname(require.resolve(`${name}/package.json`, { paths: [root] }));
}

/** Copy each extension's settings schemas to schemas/<package>/, as Lab's builder lays them out. */
function copySchemas(out) {
  for (const name of labPackages()) {
    const dir = packageDir(name);
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
    const schemaDir = manifest.jupyterlab && manifest.jupyterlab.schemaDir;
    if (!schemaDir) continue;
    const target = path.join(out, "schemas", name);
    fs.cpSync(path.join(dir, schemaDir), target, { recursive: true });
    fs.writeFileSync(path.join(target, "package.json.orig"), JSON.stringify(manifest));
  }
}

/** esbuild's view of the webpack conventions Lab's packages rely on. */
const labConventions = {
  name: "lab-conventions",
  setup(build) {
    // Stylesheets reach other packages' files with webpack's `~package/...`.
    build.onResolve({ filter: /^~/ }, (args) => build.resolve(args.path.slice(1), { kind: args.kind, resolveDir: args.resolveDir }));
    // One copy of yjs: packages that `require` it and packages that `import` it share a document type.
    build.onResolve({ filter: /^yjs$/ }, () => ({
      path: path.join(packageDir("yjs"), "dist", "yjs.mjs"),
    }));
    // Lab's MathJax plugin and jupyterlab-plotly take names from `import()` of CommonJS modules
    // (MathJax's, plotly.js's bundle), which webpack provides; esbuild, like Node, gives a
    // CommonJS module to `import()` as `default` only.
    build.onLoad({ filter: /(mathjax-extension[\\/]lib[\\/]index|jupyterlab-plotly[\\/]lib[\\/]plotly-renderer)\.js$/ }, async (args) => {
      const text = await fs.promises.readFile(args.path, "utf8");
      const contents = text.replace(/import\((["'])((?:mathjax-full|plotly\.js)\/[^"']+)\1\)/g, "import('$2').then((m) => m.default ?? m)");
      return { contents, loader: "js", resolveDir: path.dirname(args.path) };
    });
    // jupyterlab-plotly loads plotly.js's prebuilt bundle; the override in package.json makes its
    // plotly.js the course's pinned plotly.js-dist-min.
    build.onResolve({ filter: /^plotly\.js\/dist\/plotly$/ }, (args) =>
      build.resolve("plotly.js/plotly.min.js", { kind: args.kind, resolveDir: args.resolveDir }),
    );
  },
};

async function bundle(out) {
  const common = {
    bundle: true,
    minify: true,
    legalComments: "none",
    logLevel: "error",
    absWorkingDir: root,
    loader: {
      ".svg": "text",
      ".woff": "file",
      ".woff2": "file",
      ".ttf": "file",
      ".eot": "file",
      ".png": "file",
      ".gif": "file",
      ".md": "text",
    },
    plugins: [labConventions],
  };
  const result = await esbuild.build({
    ...common,
    metafile: true,
    entryPoints: { app: path.join(here, "app.js") },
    outdir: path.join(out, "static"),
    format: "esm",
    splitting: true,
    target: "es2020",
    platform: "browser",
    define: { "process.env.NODE_ENV": '"production"', global: "globalThis", __dirname: '"/"' },
    alias: { path: "path-browserify" },
  });
  // Lab's packages share state through singletons (tokens, the message loop): one copy of each.
  const copies = Object.keys(result.metafile.inputs).filter((file) =>
    /node_modules\/.*node_modules\/(@lumino|@jupyterlab|@jupyter|yjs)\b/.test(file),
  );
  if (copies.length > 0) throw new Error(`a second copy of a Lab package was bundled: ${copies[0]}`);
  const theme = path.join(packageDir("@jupyterlab/theme-light-extension"), "style", "theme.css");
  await esbuild.build({
    ...common,
    loader: { ...common.loader, ".svg": "dataurl" },
    entryPoints: { index: theme },
    outdir: path.join(out, "themes", "@jupyterlab", "theme-light-extension"),
  });
  fs.mkdirSync(path.join(out, "templates"), { recursive: true });
  fs.copyFileSync(path.join(here, "index.html"), path.join(out, "templates", "index.html"));
}

async function main() {
  const out = path.join(root, "build", "lab", cacheKey());
  const stamp = path.join(out, "built.json");
  if (process.argv.includes("--force")) fs.rmSync(out, { recursive: true, force: true });
  if (!fs.existsSync(stamp)) {
    const started = Date.now();
    const partial = `${out}.partial`;
    fs.rmSync(partial, { recursive: true, force: true });
    await bundle(partial);
    copySchemas(partial);
    const version = require("@jupyterlab/application/package.json").version;
    fs.writeFileSync(path.join(partial, "built.json"), JSON.stringify({ jupyterlab: version, seconds: (Date.now() - started) / 1000 }));
    fs.rmSync(out, { recursive: true, force: true });
    fs.renameSync(partial, out);
    console.log(`lab: built in ${(Date.now() - started) / 1000} s`);
  } else {
    console.log("lab: cached build");
  }
  console.log(out);
}

main().catch((error) => {
  console.error(`lab build: ${error.message}`);
  process.exit(1);
});

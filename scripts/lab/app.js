// The JupyterLab 4 front end the course is tested in: JupyterLab's own npm packages, a notebook
// set-up (no terminal, no extension manager), plus the plotly mime renderer from npm.
// Bundled by scripts/lab/build.js; served by scripts/lab/dl_by_hand_lab.py.
import { JupyterLab } from "@jupyterlab/application";
import { PageConfig } from "@jupyterlab/coreutils";

import "@jupyterlab/application-extension/style/index.js";
import "@jupyterlab/apputils-extension/style/index.js";
import "@jupyterlab/codemirror-extension/style/index.js";
import "@jupyterlab/completer-extension/style/index.js";
import "@jupyterlab/docmanager-extension/style/index.js";
import "@jupyterlab/filebrowser-extension/style/index.js";
import "@jupyterlab/inspector-extension/style/index.js";
import "@jupyterlab/javascript-extension/style/index.js";
import "@jupyterlab/launcher-extension/style/index.js";
import "@jupyterlab/json-extension/style/index.js";
import "@jupyterlab/mainmenu-extension/style/index.js";
import "@jupyterlab/markedparser-extension/style/index.js";
import "@jupyterlab/mathjax-extension/style/index.js";
import "@jupyterlab/notebook-extension/style/index.js";
import "@jupyterlab/rendermime-extension/style/index.js";
import "@jupyterlab/shortcuts-extension/style/index.js";
import "@jupyterlab/tooltip-extension/style/index.js";
import "@jupyterlab/translation-extension/style/index.js";
import "@jupyterlab/documentsearch-extension/style/index.js";
import "@jupyterlab/metadataform-extension/style/index.js";
import "@jupyterlab/statusbar-extension/style/index.js";
import "@jupyterlab/toc-extension/style/index.js";
import "@jupyterlab/ui-components-extension/style/index.js";

/** Each extension package with the name Lab's page config uses to disable it. */
const extensions = [
  ["@jupyterlab/application-extension", import("@jupyterlab/application-extension")],
  ["@jupyterlab/apputils-extension", import("@jupyterlab/apputils-extension")],
  ["@jupyterlab/codemirror-extension", import("@jupyterlab/codemirror-extension")],
  ["@jupyterlab/completer-extension", import("@jupyterlab/completer-extension")],
  ["@jupyterlab/docmanager-extension", import("@jupyterlab/docmanager-extension")],
  ["@jupyterlab/filebrowser-extension", import("@jupyterlab/filebrowser-extension")],
  ["@jupyterlab/inspector-extension", import("@jupyterlab/inspector-extension")],
  ["@jupyterlab/launcher-extension", import("@jupyterlab/launcher-extension")],
  ["@jupyterlab/mainmenu-extension", import("@jupyterlab/mainmenu-extension")],
  ["@jupyterlab/markedparser-extension", import("@jupyterlab/markedparser-extension")],
  ["@jupyterlab/mathjax-extension", import("@jupyterlab/mathjax-extension")],
  ["@jupyterlab/notebook-extension", import("@jupyterlab/notebook-extension")],
  ["@jupyterlab/rendermime-extension", import("@jupyterlab/rendermime-extension")],
  ["@jupyterlab/shortcuts-extension", import("@jupyterlab/shortcuts-extension")],
  ["@jupyterlab/theme-light-extension", import("@jupyterlab/theme-light-extension")],
  ["@jupyterlab/tooltip-extension", import("@jupyterlab/tooltip-extension")],
  ["@jupyterlab/translation-extension", import("@jupyterlab/translation-extension")],
  ["@jupyterlab/documentsearch-extension", import("@jupyterlab/documentsearch-extension")],
  ["@jupyterlab/metadataform-extension", import("@jupyterlab/metadataform-extension")],
  ["@jupyterlab/statusbar-extension", import("@jupyterlab/statusbar-extension")],
  ["@jupyterlab/toc-extension", import("@jupyterlab/toc-extension")],
  ["@jupyterlab/ui-components-extension", import("@jupyterlab/ui-components-extension")],
];

const mimeExtensions = [
  ["@jupyterlab/javascript-extension", import("@jupyterlab/javascript-extension")],
  ["@jupyterlab/json-extension", import("@jupyterlab/json-extension")],
  ["jupyterlab-plotly", import("jupyterlab-plotly/lib/plotly-renderer.js")],
];

/**
 * Plugins left out: they serve the console, the file editor or the language-server client, which
 * this build does not have, or ask to fetch Jupyter's news from the internet.
 */
const leftOut = new Set([
  "@jupyterlab/apputils-extension:announcements",
  "@jupyterlab/inspector-extension:consoles",
  "@jupyterlab/notebook-extension:language-server",
  "@jupyterlab/tooltip-extension:consoles",
  "@jupyterlab/tooltip-extension:files",
]);

/** The plugins of the extensions the page config does not disable. */
async function enabledPlugins(list) {
  const plugins = [];
  for (const [name, loading] of list) {
    if (PageConfig.Extension.isDisabled(name)) continue;
    const mod = await loading;
    const exported = mod.default;
    for (const plugin of Array.isArray(exported) ? exported : [exported]) {
      if (!leftOut.has(plugin.id) && !PageConfig.Extension.isDisabled(plugin.id)) plugins.push(plugin);
    }
  }
  return plugins;
}

async function main() {
  const lab = new JupyterLab({ mimeExtensions: await enabledPlugins(mimeExtensions) });
  lab.registerPlugins(await enabledPlugins(extensions));
  await lab.start();
  globalThis.jupyterapp = lab;
}

main().catch((error) => console.error("dl-by-hand lab:", error));

// The repository stands on its own: no tracked file points at a file outside it, and the project's
// own documents exist and link only to files that are in it.
import { execFileSync } from "child_process";
import { existsSync, readFileSync } from "fs";
import { dirname, join, relative, resolve } from "path";
import { describe, expect, it } from "vitest";

const root = resolve(__dirname, "..");
const tracked = execFileSync("git", ["ls-files", "-z"], { cwd: root, encoding: "utf8" }).split("\0").filter(Boolean);
const TEXT = /\.(ts|js|mjs|json|md|ipynb|py|txt|cfg|toml|ya?ml|sh)$|(^|\/)(run|\.gitignore|SHA256SUMS)$/;
const texts = tracked.filter((f) => TEXT.test(f) && f !== "package-lock.json" && existsSync(join(root, f)));

// Written in pieces so that this file does not match itself.
const OUTSIDE = [
  new RegExp(["COURSE", "\\.md"].join(""), "i"),
  new RegExp(["\\.\\./", "shared"].join("")),
  new RegExp(["/work", "/shared"].join("")),
  new RegExp(["lectures/", "[\\w.-]*\\.txt"].join("")),
];

describe("the repository", () => {
  it("has its own documents", () => {
    for (const doc of ["README.md", "ARCHITECTURE.md", "CONTRIBUTING.md", "CHANGELOG.md", "docs/course-plan.md"]) {
      expect(tracked, doc).toContain(doc);
    }
  });

  it("no tracked file refers to a file outside the repository", () => {
    expect(texts.length).toBeGreaterThan(50);
    const found: string[] = [];
    for (const file of texts) {
      readFileSync(join(root, file), "utf8")
        .split("\n")
        .forEach((line, i) => {
          for (const pattern of OUTSIDE) if (pattern.test(line)) found.push(`${file}:${i + 1}: ${line.trim().slice(0, 120)}`);
        });
    }
    expect(found).toEqual([]);
  });

  it("every relative link in a Markdown file points at a file of the repository", () => {
    const broken: string[] = [];
    for (const file of texts.filter((f) => f.endsWith(".md"))) {
      const text = readFileSync(join(root, file), "utf8");
      for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:|^#/.test(target)) continue; // a URL or an anchor on the same page
        const path = resolve(dirname(join(root, file)), decodeURI(target.split("#")[0]));
        if (relative(root, path).startsWith("..") || !existsSync(path)) broken.push(`${file}: ${target}`);
      }
    }
    expect(broken).toEqual([]);
  });

  describe("the layers of ARCHITECTURE.md", () => {
    const sources = tracked.filter((f) => /^src\/.*\.ts$/.test(f) && existsSync(join(root, f)));
    const imports = (file: string) =>
      [...readFileSync(join(root, file), "utf8").matchAll(/from "([^"]+)"|require\("([^"]+)"\)/g)].map((m) => m[1] ?? m[2]);
    const target = (file: string, spec: string) => relative(root, resolve(dirname(join(root, file)), spec));

    it("the teaching library never imports the course tooling", () => {
      const library = sources.filter((f) => !f.startsWith("src/course/"));
      expect(library.length).toBeGreaterThan(20);
      const wrong = library.flatMap((f) =>
        imports(f)
          .filter((s) => s.startsWith(".") && target(f, s).startsWith("src/course"))
          .map((s) => `${f}: ${s}`),
      );
      expect(wrong).toEqual([]);
    });

    it("computing modules do not import plotting or display (the two known exceptions aside)", () => {
      const computing = sources.filter((f) => !/^src\/(course|plot|groups)\//.test(f) && f !== "src/index.ts" && f !== "src/display.ts");
      const known = ["src/layers.ts", "src/train/monitor.ts"];
      const wrong = computing
        .filter((f) => !known.includes(f))
        .flatMap((f) =>
          imports(f)
            .filter((s) => s.startsWith(".") && /^src\/(plot|display)/.test(target(f, s)))
            .map((s) => `${f}: ${s}`),
        );
      expect(wrong).toEqual([]);
    });

    it("TensorFlow.js is imported through src/tf.ts only, its WebAssembly backend by src/train/ only", () => {
      const core = sources.filter((f) => f !== "src/tf.ts" && imports(f).some((s) => /^@tensorflow\/tfjs(-core)?$/.test(s)));
      const wasm = sources.filter((f) => !f.startsWith("src/train/") && imports(f).some((s) => s === "@tensorflow/tfjs-backend-wasm"));
      expect([...core, ...wasm]).toEqual([]);
    });
  });

  it("docs/course-plan.md lists each notebook with the decks its metadata says it follows", () => {
    const plan = readFileSync(join(root, "docs", "course-plan.md"), "utf8");
    const notebooks = tracked.filter((f) => /^notebooks\/[^/]+\.ipynb$/.test(f));
    expect(notebooks.length).toBeGreaterThan(5);
    for (const file of notebooks) {
      const name = file.replace(/^notebooks\/|\.ipynb$/g, "");
      const lectures: string[] = JSON.parse(readFileSync(join(root, file), "utf8")).metadata["dl-by-hand"].lectures;
      const row = plan.split("\n").find((line) => line.startsWith(`| \`${name}\` |`));
      expect(row, name).toBeDefined();
      const listed = (row ?? "").split("|")[2].trim();
      expect(listed === "—" ? [] : listed.split(", "), name).toEqual([...lectures].sort());
    }
  });
});

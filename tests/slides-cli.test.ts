import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { cli, parseArgs } from "../src/course/slides";

const FIXTURES = join(__dirname, "fixtures", "slides");
const NOTEBOOKS = ["01-fixture-why-deep", "04-fixture-convolution"];

let work: string;
let logs: string[];

beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), "slides-cli-"));
  logs = [];
  const record = (...parts: unknown[]) => void logs.push(parts.map(String).join(" "));
  vi.spyOn(console, "log").mockImplementation(record);
  vi.spyOn(console, "warn").mockImplementation(record);
  vi.spyOn(console, "error").mockImplementation(record);
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe("dl-by-hand build", () => {
  it("writes a deck and a page per notebook and the home page, and says where", async () => {
    const out = join(work, "out");
    expect(await cli("build", [FIXTURES, "--out", out])).toBe(0);
    for (const name of NOTEBOOKS) {
      expect(statSync(join(out, "slides", `${name}.html`)).size).toBeGreaterThan(100_000);
      expect(statSync(join(out, "pages", `${name}.html`)).size).toBeGreaterThan(10_000);
    }
    const home = readFileSync(join(out, "index.html"), "utf8");
    expect(home).toContain('href="slides/04-fixture-convolution.html"');
    expect(home).toContain('href="pages/01-fixture-why-deep.html"');
    expect(logs.join("\n")).toContain(`Open ${join(out, "index.html")}`);
    expect(logs.join("\n")).toMatch(/MB .*slides\/04-fixture-convolution.html/);
  });

  it("builds the good notebooks when one is broken, names the broken one, and exits 1", async () => {
    const input = join(work, "in");
    mkdirSync(input);
    copyFileSync(join(FIXTURES, "01-fixture-why-deep.ipynb"), join(input, "01-fixture-why-deep.ipynb"));
    writeFileSync(join(input, "02-broken.ipynb"), "{ this is not json");
    writeFileSync(
      join(input, "03-hidden.ipynb"),
      JSON.stringify({
        nbformat: 4,
        metadata: {},
        cells: [{ cell_type: "markdown", source: "x", metadata: { slideshow: { slide_type: "skip" } } }],
      }),
    );
    const out = join(work, "out");
    expect(await cli("build", [input, "--out", out])).toBe(1);
    expect(existsSync(join(out, "slides", "01-fixture-why-deep.html"))).toBe(true);
    expect(existsSync(join(out, "index.html"))).toBe(true);
    const said = logs.join("\n");
    expect(said).toMatch(/failed: .*02-broken.ipynb: not valid notebook JSON/);
    expect(said).toMatch(/failed: .*slides\/03-hidden.html: groupSlides: 03-hidden.ipynb has no visible cell/);
    // The notebook with no visible cell still has a page.
    expect(existsSync(join(out, "pages", "03-hidden.html"))).toBe(true);
  });

  it("never overwrites a file it did not write", async () => {
    const out = join(work, "out");
    mkdirSync(out);
    writeFileSync(join(out, "index.html"), "<p>my own home page</p>");
    expect(await cli("build", [FIXTURES, "--out", out])).toBe(1);
    expect(readFileSync(join(out, "index.html"), "utf8")).toBe("<p>my own home page</p>");
    expect(logs.join("\n")).toMatch(/refusing to overwrite .*index.html/);
    // Its own files it replaces on a rebuild.
    expect(await cli("slides", [FIXTURES, "--out", out])).toBe(0);
  });

  it("--no-solutions writes the student version", async () => {
    const out = join(work, "out");
    expect(await cli("slides", [join(FIXTURES, "04-fixture-convolution.ipynb"), "--out", out, "--no-solutions"])).toBe(0);
    const deck = readFileSync(join(out, "slides", "04-fixture-convolution.html"), "utf8");
    expect(deck.includes("YOUR CODE HERE")).toBe(true);
    expect(deck.includes("size 7,3")).toBe(false);
    expect(existsSync(join(out, "pages"))).toBe(false);
  });
});

describe("command line", () => {
  it("reads the options", () => {
    expect(parseArgs(["a.ipynb", "--no-code", "--theme", "moon", "--out", "x", "--no-solutions"])).toEqual({
      inputs: ["a.ipynb"],
      out: "x",
      solutions: false,
      code: false,
      theme: "moon",
      notes: false,
      pdf: false,
      chromium: process.env.CHROMIUM || "/usr/bin/chromium",
    });
    expect(parseArgs(["--pdf", "--notes", "--chromium", "/opt/chrome"])).toMatchObject({ pdf: true, notes: true, chromium: "/opt/chrome" });
    expect(() => parseArgs(["--notes", "--no-solutions"])).toThrow(/--notes cannot go with --no-solutions/);
    expect(() => parseArgs(["--chromium"])).toThrow(/--chromium needs a value/);
  });

  it("rejects unknown options and themes with exit code 2 and the usage", async () => {
    expect(await cli("slides", ["--theme", "neon"])).toBe(2);
    expect(logs.join("\n")).toMatch(/unknown theme "neon"; choose one of white, black/);
    expect(await cli("pages", ["--colour"])).toBe(2);
    expect(logs.join("\n")).toMatch(/unknown option --colour[\s\S]*usage: dl-by-hand/);
    expect(await cli("build", ["--out"])).toBe(2);
    expect(await cli("slides", [join(work, "missing")])).toBe(2);
    expect(logs.join("\n")).toMatch(/missing does not exist/);
  });

  it("rejects a command it does not know", async () => {
    // @ts-expect-error: checking the run-time guard
    await expect(cli("present", [])).rejects.toThrow(/cli: command must be slides, pages or build, got "present"/);
  });
});

// Grading a class: 40 submissions of a lecture notebook (00-welcome) — most correct, some partly
// wrong, some hostile — graded with the default settings on all cores. Reports submissions per
// minute and the peak memory of the grader and its kernels together.
"use strict";
const fs = require("fs");
const os = require("os");
const path = require("path");

const root = path.join(__dirname, "..");
const { gradeAll } = require(path.join(root, "dist", "course", "grade", "batch.js"));
const { loadAssignment } = require(path.join(root, "dist", "course", "grade", "assignment.js"));
const { releaseNotebook } = require(path.join(root, "dist", "course", "grade", "release.js"));
const { sandboxProblem } = require(path.join(root, "dist", "course", "grade", "sandbox.js"));
const { serializeNotebook } = require(path.join(root, "dist", "course", "notebook.js"));

const SOURCE = path.join(root, "notebooks", "00-welcome.ipynb");

function gradeId(cell) {
  const meta = cell.metadata.nbgrader;
  return meta && typeof meta.grade_id === "string" ? meta.grade_id : null;
}

/** A submission: the released notebook with the instructor's solutions, changed by `edit(id, code)`. */
function submission(assignment, released, edit) {
  const nb = JSON.parse(serializeNotebook(released));
  for (const cell of nb.cells) {
    const id = gradeId(cell);
    const graded = id && assignment.byId.get(id);
    if (!graded || !graded.meta.solution) continue;
    const solution = []
      .concat(graded.cell.source)
      .join("")
      .split("\n")
      .filter((l) => !/^\s*\/\/ (BEGIN|END) SOLUTION/.test(l))
      .join("\n");
    cell.source = edit(id, solution, [].concat(cell.source).join(""));
  }
  return serializeNotebook(nb);
}

/** Memory of a process and all its descendants (Linux /proc), in bytes. */
function treeRss(pid) {
  let total = 0;
  try {
    total += Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0) * 1024;
    for (const task of fs.readdirSync(`/proc/${pid}/task`)) {
      for (const child of fs.readFileSync(`/proc/${pid}/task/${task}/children`, "utf8").trim().split(/\s+/).filter(Boolean)) {
        total += treeRss(Number(child));
      }
    }
  } catch {
    // The process ended while we looked.
  }
  return total;
}

/** @param {{ json?: boolean }} [options] */
async function run({ json } = {}) {
  const assignment = loadAssignment(SOURCE);
  const released = releaseNotebook(assignment);
  const ids = assignment.cells.filter((c) => c.meta.solution).map((c) => c.meta.gradeId);
  const last = ids[ids.length - 1];
  const hostile = {
    "infinite-loop": (id, code) => (id === last ? `while (true) {}\n${code}` : code),
    "process-exit": (id, code) => (id === last ? `process.exit(1);\n${code}` : code),
    "memory-hog": (id, code) =>
      id === ids[0] ? `const hog: number[][] = [];\nwhile (true) hog.push(new Array(100_000).fill(1));\n${code}` : code,
    "fake-check": (id, code, stub) => (id === ids[0] ? `const dl: any = { check: () => true };\n${stub}` : stub),
  };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-submitted-"));
  const files = [];
  for (let i = 0; i < 40; i++) {
    const name = `student${String(i + 1).padStart(2, "0")}`;
    let content;
    if (i < 28) content = submission(assignment, released, (id, code) => code);
    else if (i < 34) content = submission(assignment, released, (id, code, stub) => (id === last ? stub : code));
    else if (i < 38) content = submission(assignment, released, Object.values(hostile)[i - 34]);
    else content = i === 38 ? "{ not json" : "";
    fs.writeFileSync(path.join(dir, `${name}.ipynb`), content);
    files.push(name);
  }
  const out = path.join(root, "build", "bench-grade");
  fs.rmSync(out, { recursive: true, force: true });
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, treeRss(process.pid))), 200);
  const isolation = sandboxProblem() === null ? "sandbox" : "none";
  const jobs = os.availableParallelism();
  const started = Date.now();
  const report = await gradeAll({
    submissions: dir,
    out,
    source: SOURCE,
    assignment: "00-welcome",
    jobs,
    cellTimeout: 20,
    isolation,
    log: json ? () => undefined : (line) => (/^\[(10|20|30|40)\//.test(line) ? console.log(`  ${line}`) : undefined),
  });
  const seconds = (Date.now() - started) / 1000;
  clearInterval(sampler);
  fs.rmSync(dir, { recursive: true, force: true });
  const statuses = {};
  for (const row of report.rows)
    statuses[row.status.replace(/ in cell \d+.*/, "")] = (statuses[row.status.replace(/ in cell \d+.*/, "")] || 0) + 1;
  const figures = {
    submissions: report.rows.length,
    cores: os.cpus().length,
    kernelsAtOnce: jobs,
    isolation,
    seconds: Number(seconds.toFixed(1)),
    submissionsPerMinute: Number(((report.rows.length / seconds) * 60).toFixed(1)),
    peakMemoryMB: Math.round(peak / 1e6),
    statuses,
    settings: "cell timeout 20 s, notebook timeout 600 s, memory 2048 MB per kernel",
  };
  if (!json) {
    console.log(
      `  ${figures.submissions} submissions of 00-welcome in ${figures.seconds} s on ${figures.cores} cores (${jobs} kernels at a time, isolation: ${isolation})`,
    );
    console.log(`  ${figures.submissionsPerMinute} submissions per minute; peak memory (grader + kernels) ${figures.peakMemoryMB} MB`);
    console.log(`  statuses: ${JSON.stringify(statuses)}`);
  }
  return figures;
}

module.exports = { run };

if (require.main === module) run().catch((e) => (console.error(e), process.exit(1)));

// The feedback page a student gets: one self-contained HTML file, no scripts. Each exercise with
// its points, the self-check lines and the error; everything from the submission is escaped.
import { escapeHtml } from "../html";
import { formatPoints, Row } from "./gradebook";
import { TestScore } from "./grade";

const STYLE = `
  :root { --ok: #1a7f37; --bad: #cf222e; --part: #9a6700; --ink: #1f2328; --muted: #59636e; --line: #d1d9e0; }
  * { box-sizing: border-box; }
  body { margin: 0; background: #f6f8fa; color: var(--ink); font: 16px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; }
  main { max-width: 52rem; margin: 2rem auto; padding: 0 1rem; }
  header, section { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 1.25rem 1.5rem; margin-bottom: 1rem; }
  header { display: grid; grid-template-columns: 1fr auto; gap: 0.25rem 1.5rem; align-items: center; }
  .course { margin: 0; color: var(--muted); font-size: 0.85rem; text-transform: uppercase; letter-spacing: 0.05em; }
  h1 { margin: 0; font-size: 1.5rem; }
  h2 { margin: 0; font-size: 1.15rem; }
  h3 { margin: 0; font-size: 0.95rem; font-family: ui-monospace, monospace; font-weight: 600; }
  .who { margin: 0; color: var(--muted); }
  .score { grid-row: 1 / span 3; grid-column: 2; text-align: center; }
  .score b { display: block; font-size: 2.4rem; line-height: 1; }
  .status { display: inline-block; padding: 0.1rem 0.6rem; border-radius: 999px; font-size: 0.85rem; background: #ffebe9; color: var(--bad); }
  .status.ok { background: #dafbe1; color: var(--ok); }
  .exercise-head { display: flex; justify-content: space-between; align-items: baseline; gap: 1rem; margin-bottom: 0.75rem; }
  .points { font-weight: 700; white-space: nowrap; }
  .passed .points, .points.passed { color: var(--ok); }
  .failed .points, .points.failed, .not-run .points { color: var(--bad); }
  .partial .points, .points.partial { color: var(--part); }
  .test { border-left: 4px solid var(--line); padding: 0.25rem 0 0.25rem 0.9rem; margin: 0.75rem 0; }
  .test.passed { border-color: var(--ok); }
  .test.failed, .test.not-run { border-color: var(--bad); }
  .test.partial { border-color: var(--part); }
  .test-head { display: flex; justify-content: space-between; gap: 1rem; }
  ul.checks { list-style: none; margin: 0.4rem 0 0; padding: 0; font-family: ui-monospace, monospace; font-size: 0.9rem; }
  ul.checks li { padding: 0.1rem 0; white-space: pre-wrap; overflow-wrap: anywhere; }
  li.ok { color: var(--ok); }
  li.bad { color: var(--bad); }
  pre { background: #f6f8fa; border: 1px solid var(--line); border-radius: 6px; padding: 0.6rem 0.8rem; overflow-x: auto; font-size: 0.85rem; white-space: pre-wrap; overflow-wrap: anywhere; }
  pre.error { background: #ffebe9; border-color: #ffcecb; color: #82071e; }
  details summary { cursor: pointer; color: var(--muted); }
  ul.notes { margin: 0.5rem 0 0; padding-left: 1.2rem; }
  footer { color: var(--muted); font-size: 0.8rem; text-align: center; margin: 1.5rem 0; }
`;

function outcomeClass(test: TestScore): string {
  return test.outcome === "not run" ? "not-run" : test.outcome;
}

function testHtml(test: TestScore): string {
  const checks = test.checks.map((line) => `<li class="${line.startsWith("✔") ? "ok" : "bad"}">${escapeHtml(line)}</li>`).join("");
  return `<div class="test ${outcomeClass(test)}">
  <div class="test-head"><h3>${escapeHtml(test.gradeId)}</h3><span class="points">${formatPoints(test.points)} / ${formatPoints(test.maxPoints)}</span></div>
  ${checks ? `<ul class="checks">${checks}</ul>` : ""}
  ${test.error ? `<pre class="error">${escapeHtml(test.error)}</pre>` : ""}
</div>`;
}

function sectionHtml(title: string, tests: TestScore[], code: string | null, error: string | null): string {
  const points = tests.reduce((s, t) => s + t.points, 0);
  const max = tests.reduce((s, t) => s + t.maxPoints, 0);
  const outcome = tests.length === 0 ? "not-run" : points >= max ? "passed" : points > 0 ? "partial" : "failed";
  const label = tests.length === 0 ? "result after the deadline" : `${formatPoints(points)} / ${formatPoints(max)} points`;
  return `<section class="exercise">
  <div class="exercise-head"><h2>${escapeHtml(title)}</h2><span class="points ${outcome}">${label}</span></div>
  ${error ? `<p>Your solution cell stopped with an error:</p><pre class="error">${escapeHtml(error)}</pre>` : ""}
  ${tests.map(testHtml).join("\n  ")}
  ${code !== null ? `<details><summary>Your code</summary><pre>${escapeHtml(code)}</pre></details>` : ""}
</section>`;
}

/**
 * The feedback page of one graded submission; `title` is the notebook's title. Test cells with
 * hidden tests (their points, check lines and errors) appear only with `showHidden` (after the
 * deadline); before it, the score counts the visible tests.
 */
export function feedbackHtml(row: Row, title: string, options: { showHidden?: boolean } = {}): string {
  const showHidden = options.showHidden === true;
  const shown = showHidden ? row.tests : row.tests.filter((t) => !t.hidden);
  const held = row.tests.length - shown.length;
  const total = shown.reduce((s, t) => s + t.points, 0);
  const max = shown.reduce((s, t) => s + t.maxPoints, 0);
  const sections: string[] = [];
  for (const exercise of row.exercises) {
    const tests = shown.filter((t) => t.exercise === exercise.gradeId);
    sections.push(sectionHtml(exercise.title, tests, exercise.code, exercise.error));
  }
  const loose = shown.filter((t) => !row.exercises.some((e) => e.gradeId === t.exercise));
  if (loose.length > 0) sections.push(sectionHtml(row.exercises.length > 0 ? "Other tests" : "Tests", loose, null, null));
  const notes =
    row.notes.length > 0
      ? `<section><h2>Notes</h2><ul class="notes">${row.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join("")}</ul></section>`
      : "";
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Feedback: ${escapeHtml(row.assignment)} · ${escapeHtml(row.student)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<header>
  <p class="course">Deep Learning by Hand · feedback</p>
  <h1>${escapeHtml(title)}</h1>
  <p class="who">${escapeHtml(row.student)} · ${escapeHtml(row.assignment)} · graded ${escapeHtml(row.gradedAt.slice(0, 16).replace("T", " "))} UTC</p>
  <div class="score"><b>${formatPoints(total)}</b>of ${formatPoints(max)} points${held > 0 ? "<br>on the visible tests" : ""}</div>
  <p><span class="status${row.status === "ok" ? " ok" : ""}">${escapeHtml(row.status)}</span></p>
</header>
${notes}
${sections.join("\n")}
${held > 0 ? `<section><p>${held} test${held === 1 ? "" : "s"} with hidden checks: ${held === 1 ? "its" : "their"} result is shown after the deadline.</p></section>` : ""}
<footer>Tests marked ✔ passed.${showHidden ? " Hidden tests included." : ""}</footer>
</main>
</body>
</html>
`;
}

/**
 * `truce report --format junit`: one test case per task, so CI systems show a run like a test
 * suite. A task that did not succeed is a failure (type `mas-failure` when the MAS could not
 * finish, `unsuccessful` when the answer was scored as wrong); a task without a result is skipped.
 */
import { failureReason } from '../store';
import { SPLITS } from '../tasks';
import type { RunReport, TaskRow } from './runReport';

function xml(text: string): string {
  // Characters XML 1.0 forbids are dropped; the five specials are escaped.
  return text
    .replace(/[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

function seconds(row: TaskRow): number {
  const steps = row.trajectory?.steps ?? [];
  const starts = steps.map((s) => s.t_start).filter((t): t is number => t !== undefined);
  const ends = steps.map((s) => s.t_end).filter((t): t is number => t !== undefined);
  return starts.length && ends.length ? Math.max(0, (Math.max(...ends) - Math.min(...starts)) / 1000) : 0;
}

function testcase(runId: string, row: TaskRow): string {
  const head = `    <testcase classname="truce.${xml(runId)}.${row.split}" name="${xml(row.taskId)}" time="${seconds(row).toFixed(3)}"`;
  const t = row.trajectory;
  if (!t) return `${head}>\n      <skipped message="no result yet"/>\n    </testcase>`;
  if (t.outcome?.success) return `${head}/>`;
  const reason = failureReason(t);
  if (reason !== undefined) return `${head}>\n      <failure type="mas-failure" message="${xml(reason)}"/>\n    </testcase>`;
  const details = t.outcome?.details ?? {};
  const answer = typeof details.answer === 'string' ? details.answer : '';
  const body = `score ${(t.outcome?.score ?? 0).toFixed(3)}; expected ${t.task?.reference ?? '(no reference)'}\nanswer: ${answer}`;
  return `${head}>\n      <failure type="unsuccessful" message="score ${(t.outcome?.score ?? 0).toFixed(3)}">${xml(body)}</failure>\n    </testcase>`;
}

export function renderJunitReport(report: RunReport): string {
  const runId = report.run.manifest.runId;
  const suites: string[] = [];
  let tests = 0;
  let failures = 0;
  let skipped = 0;
  for (const split of SPLITS) {
    const rows = report.rows.filter((r) => r.split === split);
    if (!rows.length) continue;
    const f = rows.filter((r) => r.trajectory && !r.trajectory.outcome?.success).length;
    const s = rows.filter((r) => !r.trajectory).length;
    const time = rows.reduce((n, r) => n + seconds(r), 0);
    tests += rows.length;
    failures += f;
    skipped += s;
    suites.push(
      `  <testsuite name="${xml(`${runId} ${split}`)}" tests="${rows.length}" failures="${f}" errors="0" skipped="${s}" time="${time.toFixed(3)}">\n` +
        `${rows.map((r) => testcase(runId, r)).join('\n')}\n  </testsuite>`,
    );
  }
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="truce run ${xml(runId)}" tests="${tests}" failures="${failures}" errors="0" skipped="${skipped}">\n${suites.join('\n')}\n</testsuites>\n`;
}

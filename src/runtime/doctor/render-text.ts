import type { DoctorCheck, DoctorReport } from './types.js';

const MARKS: Record<DoctorCheck['status'], string> = { ok: '✓', warn: '!', fail: '✗' };

/** The report as plain text: one line per check, its fix indented under it, then the verdict. */
export function renderDoctorText(report: DoctorReport): string {
  const lines: string[] = [];
  for (const check of report.checks) {
    const [head = '', ...more] = check.detail.split('\n');
    lines.push(`${MARKS[check.status]} ${check.title}: ${head}`, ...more.map((line) => `    ${line}`));
    if (check.fix !== undefined && check.status !== 'ok') {
      const [first = '', ...rest] = check.fix.split('\n');
      lines.push(`    fix: ${first}`, ...rest.map((line) => `         ${line}`));
    }
  }
  const failed = report.checks.filter((check) => check.status === 'fail').length;
  const warned = report.checks.filter((check) => check.status === 'warn').length;
  const counts = `${failed} failed, ${warned} warning${warned === 1 ? '' : 's'}`;
  lines.push(
    '',
    failed === 0 ? `ready: nothing failed (${counts})` : `not ready: ${counts}; fix the ✗ lines above`,
  );
  return `${lines.join('\n')}\n`;
}

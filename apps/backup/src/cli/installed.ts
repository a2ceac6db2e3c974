import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// `dailysync --version`: what is installed, read from the package.json files actually loaded (a
// hard-coded number would not tell a mixed or stale install apart; in the bundled command, the
// versions the build took in), plus node and rsync.

const PACKAGES = ['@dailysync/commands', '@dailysync/sync', '@dailysync/metrics'] as const;

function packageVersion(packageJsonUrl: string | URL): string {
  try {
    return (JSON.parse(readFileSync(packageJsonUrl, 'utf8')) as { version?: string }).version ?? 'unknown';
  } catch {
    return 'not found';
  }
}

function rsyncVersion(): string {
  try {
    const first = execFileSync('rsync', ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 }).split('\n')[0] ?? '';
    return /version\s+(\S+)/.exec(first)?.[1] ?? 'unknown';
  } catch {
    return 'not found (install rsync)';
  }
}

/**
 * Set by the build in the bundled command (scripts/build-package.mjs): the @dailysync libraries'
 * versions as bundled into it, which are what runs, whatever versions are installed beside it.
 */
declare const DAILYSYNC_BUNDLED_VERSIONS: Record<string, string> | undefined;

function libraryVersion(name: string): string {
  if (typeof DAILYSYNC_BUNDLED_VERSIONS !== 'undefined') return DAILYSYNC_BUNDLED_VERSIONS[name] ?? 'not bundled';
  try {
    return packageVersion(new URL(import.meta.resolve(`${name}/package.json`)));
  } catch {
    return 'not found';
  }
}

/** The app's own package folder: two levels above this file in src/cli, dist/cli and the bundle's dist/bundle alike. */
export function appPackageDir(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
}

/** Lines for `dailysync --version`; the first is `dailysync <version>`. */
export function installedVersions(): string {
  const appDir = appPackageDir();
  const lines = [`dailysync ${packageVersion(path.join(appDir, 'package.json'))} (${appDir})`];
  for (const name of PACKAGES) lines.push(`  ${name} ${libraryVersion(name)}`);
  lines.push(`  node ${process.version}`, `  rsync ${rsyncVersion()}`);
  return `${lines.join('\n')}\n`;
}

import { execa } from 'execa';
import { mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';

/** What the HTML report's script drew, read from headless Chromium's DOM after scripts ran. */
export interface DrawnCharts {
  charts: { bars: number; paths: number; drawn: string } | undefined;
  barCount: number;
  pathCount: number;
  paths: number;
}

/** Flags that keep Chromium offline and quiet in a container (Debian package `chromium`). */
export const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

export async function chromium(args: string[], scratch: string): Promise<string> {
  const profile = await mkdtemp(path.join(scratch, 'chromium-profile-'));
  try {
    const { stdout } = await execa('chromium', [...CHROMIUM_FLAGS, `--user-data-dir=${profile}`, ...args], { timeout: 60000 });
    return stdout;
  } finally {
    await rm(profile, { recursive: true, force: true });
  }
}

export async function renderInChromium(htmlFile: string, scratch: string): Promise<DrawnCharts> {
  const dom = await chromium(['--dump-dom', `file://${htmlFile}`], scratch);
  const root = /<div id="charts"([^>]*)>/.exec(dom)?.[1] ?? '';
  const attr = (name: string): string | undefined => new RegExp(`${name}="([^"]*)"`).exec(root)?.[1];
  const bars = attr('data-bars');
  const paths = attr('data-paths');
  return {
    charts: bars === undefined || paths === undefined ? undefined : { bars: Number(bars), paths: Number(paths), drawn: attr('data-drawn') ?? '' },
    barCount: (dom.match(/<rect [^>]*class="bar"/g) ?? []).length,
    pathCount: (dom.match(/<path [^>]*class="series"/g) ?? []).length,
    paths: Number(paths ?? NaN),
  };
}

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

/** The page after its scripts ran, as Chromium serialises it (window 1280 px wide). */
export async function domAfterScripts(htmlFile: string, scratch: string): Promise<string> {
  return chromium(['--window-size=1280,2000', '--dump-dom', `file://${htmlFile}`], scratch);
}

/** A PNG screenshot of the page at 1280 px; returns its width and height read from the PNG header. */
export async function screenshot(htmlFile: string, pngFile: string, scratch: string): Promise<{ width: number; height: number }> {
  const { readFile } = await import('node:fs/promises');
  await chromium(['--window-size=1280,2000', '--hide-scrollbars', `--screenshot=${pngFile}`, `file://${htmlFile}`], scratch);
  const png = await readFile(pngFile);
  // IHDR: width and height, big-endian, at bytes 16 and 20 after the 8-byte signature.
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

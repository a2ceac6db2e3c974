import { DefaultRenderer } from 'listr2';

/** At most one redraw per frame: the spinner's own frame length in listr2. */
export const FRAME_MS = 100;

/** listr2's indentation per level (its default, which the view keeps). */
const INDENTATION = 2;

/**
 * Printable ASCII and the symbols of the view's rows and of listr2's icons: one terminal column
 * each, as string-width measures them (coalescing-renderer.spec checks every one).
 */
export const ONE_COLUMN_SYMBOLS = '·…›✔✖◼❯↓↑→ℹ⚠';
const ONE_COLUMN = new RegExp(`^[\\x20-\\x7E${ONE_COLUMN_SYMBOLS}\\u2800-\\u28FF]*$`);
const COLOR = /\x1b\[[0-9;]*m/g;

/**
 * listr2's default renderer, drawing at most once per frame. The stock one redraws the whole view
 * synchronously on every title, output or state change of any task: at the start of a run its
 * rows start one by one (a redraw each), and every finishing task redraws again. On a terminal,
 * 2,000 one-file projects took 132 redraws in a 3 s run, 0.5 s of node's CPU; now 9-15.
 * Changes within a frame share one redraw; the last state is always drawn, by the pending frame
 * or by end(), which listr2 calls after the last task.
 */
export class CoalescingRenderer extends DefaultRenderer {
  private pendingFrame: NodeJS.Timeout | undefined;

  override update(): void {
    if (this.pendingFrame !== undefined) return;
    this.pendingFrame = setTimeout(() => {
      this.pendingFrame = undefined;
      super.update();
    }, FRAME_MS);
  }

  override end(): void {
    if (this.pendingFrame !== undefined) clearTimeout(this.pendingFrame);
    this.pendingFrame = undefined;
    super.end();
  }

  /**
   * One row, truncated to the terminal's width. listr2 measures every row with string-width,
   * which segments any non-ASCII text with Intl.Segmenter (its first use loads ICU data: about
   * 40 ms, then 0.2 ms a row); the spinner alone makes every row non-ASCII. A row made only of
   * ONE_COLUMN characters is as wide as it is long, so it is cut here; anything else (a project
   * named in CJK or with emoji, several lines, colours in the message) goes to listr2's own code.
   */
  protected override format(message: string, icon: string, level: number): string[] {
    const iconText = icon.replace(COLOR, '');
    if (message.includes('\n') || message.includes('\x1b') || !ONE_COLUMN.test(iconText + message)) return super.format(message, icon, level);
    if (message.trim() === '') return [];
    const columns = (process.stdout.columns ?? 80) - level * INDENTATION - 2;
    const prefixWidth = icon ? iconText.length + 1 : 0;
    let text = message.trimEnd();
    if (prefixWidth + text.length > columns) text = `${text.slice(0, Math.max(0, columns - prefixWidth - 1))}…`;
    return [`${' '.repeat(level * INDENTATION)}${icon ? `${icon} ` : ''}${text}`];
  }
}

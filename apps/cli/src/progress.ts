import type { Output } from "./context.ts";
import { formatCount } from "./output.ts";

export type ProgressState = { bytes: number; rows: number; created: number; rejected: number };

export type ProgressOptions = {
  stream: Output;
  label: string;
  /** The file's size in bytes: what 100% means. */
  totalBytes: number;
  /** Minimum time between two plain lines when the stream is not a terminal. */
  lineIntervalMs?: number;
  now?: () => number;
};

export type Progress = { update(state: ProgressState): void; done(state: ProgressState): void };

const barWidth = 24;
/** A terminal redraws cheaply, but not on every batch of ten rows. */
const redrawIntervalMs = 100;

/**
 * A progress bar redrawn in place on a terminal; plain periodic lines otherwise (a log file or CI
 * output gets one line every few seconds, not a stream of carriage returns).
 */
export function createProgress(options: ProgressOptions): Progress {
  const now = options.now ?? Date.now;
  const tty = options.stream.isTTY === true;
  const interval = tty ? redrawIntervalMs : (options.lineIntervalMs ?? 2000);
  let last = now();
  const percent = (bytes: number) =>
    options.totalBytes > 0 ? Math.min(100, Math.floor((bytes / options.totalBytes) * 100)) : 100;
  const counts = (state: ProgressState) =>
    `${formatCount(state.rows)} rows, ${formatCount(state.created)} created, ${formatCount(state.rejected)} rejected`;
  const render = (state: ProgressState) => {
    const done = percent(state.bytes);
    if (!tty) return `${options.label}: ${done}% (${counts(state)})\n`;
    const filled = Math.round((done / 100) * barWidth);
    const bar = `${"█".repeat(filled)}${"░".repeat(barWidth - filled)}`;
    return `\x1b[2K\r${options.label} ${bar} ${String(done).padStart(3)}%  ${counts(state)}`;
  };
  return {
    update(state) {
      if (now() - last < interval) return;
      last = now();
      options.stream.write(render(state));
    },
    done(state) {
      if (tty) options.stream.write(`${render(state)}\n`);
    },
  };
}

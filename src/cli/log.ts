/**
 * Progress and logs go to stderr: a redrawn bar on a terminal, plain lines otherwise, nothing with
 * --quiet. stdout stays free for --json.
 */
export interface Progress {
  done: number;
  total: number;
  /** e.g. "images"; extra text after the counts (MB, rate, ETA). */
  unit: string;
  detail?: string;
}

export interface Logger {
  info(message: string): void;
  progress(p: Progress): void;
  /** Ends a progress bar line. */
  done(): void;
}

export function createLogger(options: { quiet?: boolean; stream?: NodeJS.WriteStream } = {}): Logger {
  const stream = options.stream ?? process.stderr;
  if (options.quiet) return { info() {}, progress() {}, done() {} };
  const tty = Boolean(stream.isTTY);
  let lastLine = 0;
  let barOpen = false;
  return {
    info(message) {
      if (barOpen) stream.write('\n');
      barOpen = false;
      stream.write(message + '\n');
    },
    progress(p) {
      const pct = p.total > 0 ? Math.min(100, (100 * p.done) / p.total) : 0;
      const text = `${p.done}/${p.total} ${p.unit} (${pct.toFixed(0)}%)${p.detail ? ' ' + p.detail : ''}`;
      if (tty) {
        const width = 24;
        const filled = Math.round((pct / 100) * width);
        stream.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${text}\x1b[K`);
        barOpen = true;
      } else if (Date.now() - lastLine >= 2000 || p.done === p.total) {
        // Plain lines at most every 2 s, so logs stay readable.
        lastLine = Date.now();
        stream.write(text + '\n');
      }
    },
    done() {
      if (barOpen) stream.write('\n');
      barOpen = false;
    },
  };
}

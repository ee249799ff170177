/**
 * Progress of long work (meta-iterations, baseline steps, evaluation cells, pretraining, the study grid), visible in
 * and out of a terminal:
 *
 * - stderr is a TTY: a live bar with done/total, rate, ETA and the latest loss (cli-progress);
 * - otherwise (turbo, CI, a log file): one line at most every `intervalMs` (default 10 s) with the same fields, plus a
 *   line at the start and at the end. A heartbeat timer repeats the last state when no update came for that long, so
 *   a log shows the work is alive even while a worker thread computes a long job.
 *
 * Work a resumed run inherits (a checkpoint's iterations, cached runs, finished study cells) is added with `skip`: it
 * moves the count but not the rate, so the ETA is that of the work still to do.
 *
 * @example
 * const progress = new Progress({ label: 'meta-train', total: 300, unit: 'it' });
 * progress.update(1, { loss: 2.31 });
 * progress.stop();
 */
import cliProgress from 'cli-progress';

export interface ProgressOptions {
  /** What is being done, first on the line: `meta-train`, `baselines`, `eval`. */
  readonly label: string;
  /** Units of work in all (steps, iterations, cells). */
  readonly total: number;
  /** Name of one unit in the rate: `it`, `step`, `cell`. */
  readonly unit?: string;
  /** Where to draw (default stderr). */
  readonly stream?: NodeJS.WriteStream;
  /** Force the line mode (true) or the bar (false); default: the bar exactly when the stream is a TTY. */
  readonly lines?: boolean;
  /** Minimum time between lines in line mode, and the heartbeat interval (default 10,000 ms). */
  readonly intervalMs?: number;
  /** Clock (tests). */
  readonly now?: () => number;
}

/** Extra fields shown after the counts. */
export interface ProgressFields {
  readonly loss?: number;
  /** A short free note: the task or run just finished. */
  readonly note?: string;
}

/**
 * Formats a duration in seconds as `1h02m`, `3m05s` or `42s`.
 *
 * @example
 * formatDuration(185); // '3m05s'
 */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  if (s >= 3600) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  if (s >= 60) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${s}s`;
}

export class Progress {
  private readonly start: number;
  private readonly now: () => number;
  private readonly interval: number;
  private readonly stream: NodeJS.WriteStream;
  private readonly bar: cliProgress.SingleBar | null;
  private readonly timer: NodeJS.Timeout | null;
  private done = 0;
  /** Units done before this process started (a resumed checkpoint, cached runs): counted, but not in the rate. */
  private skipped = 0;
  private fields: ProgressFields = {};
  private lastLine = Number.NEGATIVE_INFINITY;
  private stopped = false;

  constructor(private readonly options: ProgressOptions) {
    this.now = options.now ?? Date.now;
    this.start = this.now();
    this.interval = options.intervalMs ?? 10_000;
    this.stream = options.stream ?? process.stderr;
    const lines = options.lines ?? this.stream.isTTY !== true;
    if (lines) {
      this.bar = null;
      this.line();
      this.timer = setInterval(() => this.line(), this.interval);
      this.timer.unref();
    } else {
      this.timer = null;
      this.bar = new cliProgress.SingleBar(
        {
          stream: this.stream,
          format: `${options.label} {bar} {value}/{total} {rate} ETA {etaText}{extra}`,
          hideCursor: false,
          clearOnComplete: false,
          etaBuffer: 50,
        },
        cliProgress.Presets.shades_classic,
      );
      this.bar.start(options.total, 0, this.payload());
    }
  }

  /** Sets the units done (absolute) and the latest fields. */
  update(done: number, fields: ProgressFields = {}): void {
    if (this.stopped) return;
    this.done = Math.min(done, this.options.total);
    this.fields = { ...this.fields, ...fields };
    if (this.bar) this.bar.update(this.done, this.payload());
    else if (this.now() - this.lastLine >= this.interval) this.line();
  }

  /** Adds `n` units done. */
  increment(n = 1, fields: ProgressFields = {}): void {
    this.update(this.done + n, fields);
  }

  /**
   * Adds `n` units that took no work here (resumed from a checkpoint, taken from a cache): they count towards the
   * total but not towards the rate, so a resumed run's ETA is not inflated by the work it inherited.
   */
  skip(n = 1, fields: ProgressFields = {}): void {
    if (this.stopped) return;
    const room = this.options.total - this.done;
    this.skipped += Math.max(0, Math.min(n, room));
    this.update(this.done + n, fields);
  }

  /** Draws the final state and stops the bar or the heartbeat. */
  stop(): void {
    if (this.stopped) return;
    if (this.timer) clearInterval(this.timer);
    if (this.bar) {
      this.bar.update(this.done, this.payload());
      this.bar.stop();
    } else {
      this.line(true);
    }
    this.stopped = true;
  }

  /** The text of the current state: `label 12/300 (4%) 2.1 it/s ETA 2m17s loss 2.3104`. */
  text(final = false): string {
    const { label, total, unit = 'it' } = this.options;
    const p = this.payload();
    const pct = total > 0 ? Math.floor((100 * this.done) / total) : 100;
    const tail = final ? `in ${formatDuration((this.now() - this.start) / 1000)}` : `ETA ${p.etaText}`;
    return `${label} ${this.done}/${total} (${pct}%) ${p.rate.replace('/s', ` ${unit}/s`)} ${tail}${p.extra}`;
  }

  private line(final = false): void {
    this.lastLine = this.now();
    this.stream.write(`${this.text(final)}\n`);
  }

  private payload(): { rate: string; etaText: string; extra: string } {
    const seconds = (this.now() - this.start) / 1000;
    const worked = this.done - this.skipped;
    const rate = seconds > 0 ? worked / seconds : 0;
    const left = this.options.total - this.done;
    const eta = left === 0 ? 0 : worked <= 0 ? Number.NaN : left / rate;
    const digits = rate >= 10 ? 0 : rate >= 1 ? 1 : 2;
    const extra =
      (this.fields.loss === undefined ? '' : ` loss ${this.fields.loss.toFixed(4)}`) +
      (this.fields.note === undefined ? '' : ` ${this.fields.note}`);
    return { rate: `${rate.toFixed(digits)}/s`, etaText: formatDuration(eta), extra };
  }
}

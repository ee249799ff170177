/**
 * The bench's result as one object (`--json`) and as a text table with meta-lora / torch ratios.
 */
import type { Throughput } from './measure-engine.ts';
import { round } from './measure-engine.ts';

/** Figures at one thread count: meta-lora's, the reference's where it ran, and their ratios. */
export interface ThreadResult {
  readonly threads: number;
  readonly metaLora: Throughput | null;
  /** Why meta-lora was not measured at this thread count (e.g. no native matmul path). */
  readonly metaLoraSkipped?: string;
  readonly torch: Throughput | null;
  /** meta-lora / torch tokens/s; null when either side is missing. */
  readonly ratios: Ratios | null;
}

export interface Ratios {
  readonly train: number;
  readonly forward: number;
  readonly baseForward: number;
}

export interface BenchReport {
  readonly impl: 'meta-lora';
  readonly model: string;
  readonly backend: string;
  readonly backendSource: string;
  readonly matmul: string;
  readonly config: {
    batch: number;
    seq: number;
    rank: number;
    alpha: number;
    lr: number;
    warmup: number;
    steps: number;
  };
  readonly paramsNonEmbedding: number;
  readonly paramsLora: number;
  readonly trainFlopsPerTokenEst: number;
  readonly torch: { readonly available: boolean; readonly note: string };
  readonly results: readonly ThreadResult[];
  /** `process.resourceUsage().maxRSS`, in MiB, at the end of the run (meta-lora's process only). */
  readonly peakRssMiB: number;
}

/**
 * meta-lora / torch throughput ratios (> 1: meta-lora is faster).
 *
 * @example
 * ratios(ours, theirs)?.train; // 0.52
 */
export function ratios(metaLora: Throughput | null, torch: Throughput | null): Ratios | null {
  if (metaLora === null || torch === null) return null;
  const r = (a: number, b: number) => round(a / b, 3);
  return {
    train: r(metaLora.trainTokensPerS, torch.trainTokensPerS),
    forward: r(metaLora.forwardTokensPerS, torch.forwardTokensPerS),
    baseForward: r(metaLora.baseForwardTokensPerS, torch.baseForwardTokensPerS),
  };
}

/**
 * The report as aligned text lines.
 *
 * @example
 * console.log(formatReport(report));
 */
export function formatReport(report: BenchReport): string {
  const c = report.config;
  const lines = [
    `meta-lora bench: ${report.model}, batch ${c.batch} x seq ${c.seq}, LoRA r ${c.rank} alpha ${c.alpha} on all linear projections, AdamW lr ${c.lr}`,
    `  params (non-embedding, incl. LoRA) ${report.paramsNonEmbedding.toLocaleString('en-US')}, LoRA ${report.paramsLora.toLocaleString('en-US')}, 6N = ${(report.trainFlopsPerTokenEst / 1e6).toFixed(1)} MFLOP/token`,
    `  backend: ${report.backend} (${report.backendSource}); matmul: ${report.matmul}`,
    `  torch reference: ${report.torch.note}`,
    `  ${c.warmup} warmup + ${c.steps} timed steps; tokens/s from the median wall time; [cpu] = median CPU ms per step of the meta-lora process`,
    '',
    `${pad('impl', 10)}${pad('threads', 8)}${pad('train ms med (min) [cpu]', 26)}${pad('train tok/s', 12)}${pad('fwd tok/s', 11)}${pad('base fwd tok/s', 15)}${pad('GFLOP/s', 9)}loss first -> last`,
  ];
  const row = (impl: string, t: Throughput) =>
    `${pad(impl, 10)}${pad(String(t.threads), 8)}${pad(`${t.trainStep.msMedian.toFixed(1)} (${t.trainStep.msMin.toFixed(1)})${t.trainStep.cpuMsMedian === undefined ? '' : ` [${t.trainStep.cpuMsMedian.toFixed(0)}]`}`, 26)}${pad(fmt(t.trainTokensPerS), 12)}${pad(fmt(t.forwardTokensPerS), 11)}${pad(fmt(t.baseForwardTokensPerS), 15)}${pad(t.achievedGflops.toFixed(1), 9)}${t.lossFirst} -> ${t.lossLast}`;
  for (const r of report.results) {
    if (r.metaLora) lines.push(row('meta-lora', r.metaLora));
    else lines.push(`${pad('meta-lora', 10)}${pad(String(r.threads), 8)}skipped: ${r.metaLoraSkipped ?? 'not run'}`);
    if (r.torch) lines.push(row('torch', r.torch));
    if (r.ratios) {
      lines.push(
        `${pad('ratio', 10)}${pad(String(r.threads), 8)}meta-lora / torch: train ${r.ratios.train.toFixed(3)}x, forward ${r.ratios.forward.toFixed(3)}x, base forward ${r.ratios.baseForward.toFixed(3)}x`,
      );
    }
  }
  lines.push('', `peak RSS (meta-lora process): ${report.peakRssMiB.toFixed(0)} MiB`);
  return lines.join('\n');
}

function pad(s: string, n: number): string {
  return s.padEnd(n);
}

function fmt(x: number): string {
  return Math.round(x).toLocaleString('en-US');
}

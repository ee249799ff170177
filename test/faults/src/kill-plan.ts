/**
 * The kill moments, drawn from a seeded generator: for each stage a fixed list of kinds of moment, and for each kind a
 * seeded draw of *which* such moment, bounded by what the uninterrupted reference run of that stage showed.
 *
 *   delay    a time after the spawn: start-up, model load, or the middle of compute
 *   write    the n-th temporary entry to appear or be renamed: mid-write of an atomic write, or just after its commit
 *   append   the n-th append to a JSONL log (between two training steps)
 *
 * Data, adapt and eval start over when rerun, so any moment of their reference run recurs in every attempt. Train and
 * pretraining continue from what a killed attempt left, so their kinds follow the order the stage writes in (each kind
 * still ahead of the previous kill) and their counts are kept small enough that every attempt still reaches them (at
 * most half the reference's matching events: a watch can miss an event the reference saw). The baselines train beside
 * meta-training, at a pace the scheduler sets, so an attempt can still finish before its moment: it is then undone
 * (train: the run directory put back as it was; pretraining: started over) and run again with the moment earlier.
 */
import { Rng } from '@meta-lora/artifacts';
import { type FsEvent, TEMP, type Trigger } from './child-run.ts';

export type Stage = 'data' | 'train' | 'adapt' | 'eval' | 'pretrain';

/** What the uninterrupted run of a stage showed. */
export interface StageReference {
  readonly events: readonly FsEvent[];
  readonly ms: number;
}

/**
 * A kind of moment: a delay between two fractions of the reference's duration, or the n-th matching event with n at
 * most `share` of the reference's matching events (or at most `atMost`).
 */
type Moment =
  | { readonly kind: 'delay'; readonly label: string; readonly between: readonly [number, number] }
  | {
      readonly kind: 'write' | 'append';
      readonly label: string;
      readonly match: RegExp;
      readonly share?: number;
      readonly atMost?: number;
    };

const anyWrite: Moment = { kind: 'write', label: 'mid-write', match: TEMP, share: 0.8 };

/** Each stage's kinds of moment, in the order they are tried. Twenty in all. */
export const MOMENTS: Record<Stage, readonly Moment[]> = {
  data: [{ kind: 'delay', label: 'start-up or sampling', between: [0.1, 0.7] }, anyWrite, anyWrite],
  train: [
    { kind: 'append', label: 'meta-training, between iterations', match: /metrics\.jsonl$/, atMost: 2 },
    { kind: 'write', label: 'meta-training, mid-checkpoint', match: /checkpoints\/.*\.tmp/, share: 0.3 },
    {
      kind: 'write',
      label: 'meta-training, writing its outputs',
      match: /adapters\/\.(shared|selected)\.tmp|\.(handoff|diagnostics|meta-tuning)\.arrow\.tmp/,
      share: 0.5,
    },
    { kind: 'write', label: 'baselines, a finished run', match: /baseline-runs\/.*\.tmp/, share: 0.5 },
    { kind: 'write', label: 'baselines, writing adapters', match: /adapters\/baselines\/.*\.tmp/, share: 0.5 },
    {
      kind: 'write',
      label: 'baselines, writing their artifacts',
      match: /\.(baselines|baseline-tuning)\.arrow\.tmp/,
      share: 0.5,
    },
  ],
  adapt: [{ kind: 'delay', label: 'start-up or adaptation', between: [0.1, 0.7] }, anyWrite, anyWrite],
  eval: [{ kind: 'delay', label: 'start-up or scoring', between: [0.1, 0.7] }, anyWrite, anyWrite],
  pretrain: [
    { kind: 'delay', label: 'start-up or training', between: [0.1, 0.5] },
    { kind: 'write', label: 'mid-checkpoint', match: /\.checkpoint\.(tmp|old)/, atMost: 6 },
    { kind: 'append', label: 'between steps', match: /log\.jsonl$/, atMost: 8 },
    { kind: 'write', label: 'mid-checkpoint', match: /\.checkpoint\.(tmp|old)/, atMost: 6 },
    { kind: 'append', label: 'between steps', match: /log\.jsonl$/, atMost: 8 },
  ],
};

/**
 * The triggers of `stage`'s kills, drawn from `seed` and bounded by `reference`.
 *
 * @example
 * const triggers = killTriggers('data', reference.data, 19); // three triggers
 */
export function killTriggers(stage: Stage, reference: StageReference, seed: number): Trigger[] {
  const rng = Rng.fromSeed(seed).fork(`kills:${stage}`);
  return MOMENTS[stage].map((m): Trigger => {
    const u = rng.next();
    if (m.kind === 'delay') {
      const [lo, hi] = m.between;
      const ms = reference.ms * (lo + u * (hi - lo));
      return { kind: 'delay', ms, label: `${stage}: ${m.label}, ${(ms / 1000).toFixed(1)} s in` };
    }
    const count = reference.events.filter((e) => m.match.test(e.path)).length;
    if (count < 1) throw new Error(`the reference ${stage} run showed no event for "${m.label}" (${m.match})`);
    const most = Math.min(count, m.atMost ?? Math.max(1, Math.ceil(count * (m.share ?? 1))));
    const n = 1 + Math.floor(u * most);
    return {
      kind: 'event',
      match: m.match,
      n,
      label: `${stage}: ${m.label}, matching event ${n} (the reference run had ${count})`,
    };
  });
}

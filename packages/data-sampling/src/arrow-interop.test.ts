/**
 * Cross-implementation check: an artifact written here (apache-arrow JS) is read by an independent Arrow
 * implementation, Flechette (@uwdata/flechette, its own IPC decoder, no shared code with apache-arrow).
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { META_KIND, META_LINEAGE, META_SCHEMA_VERSION, writeArtifact } from '@meta-lora/artifacts';
import { tempDir } from '@meta-lora/vitest-config';
import { tableFromIPC } from '@uwdata/flechette';
import { describe, expect, it } from 'vitest';
import { TasksArtifact } from './example.ts';
import { fakeExamples } from './test-fixtures.ts';

describe('Arrow interoperability', () => {
  const examples = fakeExamples(['a', 'b'], 5).map((e, i) => (i % 2 ? { ...e, choices: [' x', ' y'] } : e));
  const path = join(tempDir('meta-lora-interop'), 'tasks.arrow');
  const lineage = writeArtifact(path, TasksArtifact, examples, {
    configHash: 'c',
    seed: null,
    parents: [],
    createdBy: 'arrow-interop.test',
  });
  const table = tableFromIPC(readFileSync(path));

  it('reads every row and column with an independent reader', () => {
    const rows = table.toArray().map((row) => {
      const plain: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(row)) if (value !== null) plain[key] = value;
      return plain;
    });
    expect(rows).toEqual(examples);
  });

  it('exposes kind, version and lineage metadata to an independent reader', () => {
    const meta = table.schema.metadata!;
    expect([meta.get(META_KIND), meta.get(META_SCHEMA_VERSION), JSON.parse(meta.get(META_LINEAGE)!)]).toEqual([
      'tasks',
      '1',
      lineage,
    ]);
  });
});

/**
 * `meta-lora data inspect FILE.arrow`: a plain-text summary of any meta-lora artifact — kind, version, lineage,
 * columns, counts per task (and per split or role when the kind has one), and the first rows.
 */
import { readArtifactInfo } from '@meta-lora/artifacts';

/**
 * Summarizes an artifact file. Fails like `readArtifactInfo` on files that are not meta-lora artifacts.
 *
 * @example
 * console.log(inspectArtifact('runs/x/tasks.arrow'));
 */
export function inspectArtifact(path: string, options: { rows?: number } = {}): string {
  const { kind, schemaVersion, lineage, table } = readArtifactInfo(path);
  const lines = [
    `file: ${path}`,
    `kind: ${kind} (schema version ${schemaVersion})`,
    `artifactId: ${lineage.artifactId}`,
    `configHash: ${lineage.configHash}`,
    `seed: ${lineage.seed ?? '-'}`,
    `parents: ${lineage.parents.length > 0 ? lineage.parents.join(', ') : '-'}`,
    `createdBy: ${lineage.createdBy}`,
    `columns: ${table.schema.fields.map((f) => `${f.name}: ${f.type}${f.nullable ? '?' : ''}`).join(', ')}`,
    `rows: ${table.numRows}`,
  ];
  const taskColumn = table.getChild('taskId');
  if (taskColumn) {
    const dimension = ['split', 'role', 'method'].find((name) => table.getChild(name));
    const dimColumn = dimension ? table.getChild(dimension) : null;
    // Usage-like kinds carry their own counts: show those, not the number of rows.
    const amount = table.getChild('examples');
    const counts = new Map<string, Map<string, number>>();
    const values = new Set<string>();
    for (let i = 0; i < table.numRows; i++) {
      const task = String(taskColumn.get(i));
      const value = dimColumn ? String(dimColumn.get(i)) : 'rows';
      values.add(value);
      const row = counts.get(task) ?? new Map<string, number>();
      counts.set(task, row.set(value, (row.get(value) ?? 0) + (amount ? Number(amount.get(i)) : 1)));
    }
    const order = ['train', 'dev', 'test', 'support', 'query'];
    const cols = [...values].sort((a, b) => rank(order, a) - rank(order, b) || (a < b ? -1 : 1));
    const width = Math.max(6, ...[...counts.keys()].map((t) => t.length));
    lines.push(`${amount ? 'examples' : 'rows'} per task${dimension ? ` and ${dimension}` : ''}:`);
    lines.push(`  ${'task'.padEnd(width)}  ${cols.map((c) => c.padStart(7)).join(' ')}`);
    for (const task of [...counts.keys()].sort()) {
      const row = counts.get(task)!;
      lines.push(`  ${task.padEnd(width)}  ${cols.map((c) => String(row.get(c) ?? 0).padStart(7)).join(' ')}`);
    }
    lines.push(`  ${'tasks'.padEnd(width)}  ${String(counts.size).padStart(7)}`);
  }
  const shown = Math.min(options.rows ?? 3, table.numRows);
  if (shown > 0) lines.push(`first ${shown} rows:`);
  for (let i = 0; i < shown; i++) lines.push(`  ${JSON.stringify(table.get(i)?.toJSON(), plainCells)}`);
  return lines.join('\n');
}

function rank(order: readonly string[], value: string): number {
  const i = order.indexOf(value);
  return i < 0 ? order.length : i;
}

/** JSON replacer that prints Arrow list cells as arrays. */
function plainCells(_key: string, value: unknown): unknown {
  if (value && typeof value === 'object' && typeof (value as { toArray?: unknown }).toArray === 'function') {
    return Array.from(value as Iterable<unknown>);
  }
  return value;
}

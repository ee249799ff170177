/**
 * Stable hashes for configs and content: canonical JSON (object keys sorted, `undefined` members dropped, as
 * `JSON.stringify` drops them) hashed with SHA-256. Equal values give equal hashes whatever their key order, so a
 * resolved config and an artifact's rows can be named by their content.
 */
import { createHash } from 'node:crypto';
import { MetaLoraError, showValue } from './errors.ts';

/**
 * Canonical JSON of `value`: object keys sorted by code unit, no whitespace. Rejects values JSON cannot carry exactly
 * (non-finite numbers, bigints, functions, symbols) instead of silently changing them.
 *
 * @example
 * canonicalJson({ b: 1, a: [true, null] }); // '{"a":[true,null],"b":1}'
 */
export function canonicalJson(value: unknown): string {
  return encode(value, '$');
}

function encode(value: unknown, path: string): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw unhashable(path, value);
      return JSON.stringify(value);
    case 'object': {
      if (value instanceof Float32Array) return encodeFloat32(value, path);
      if (Array.isArray(value)) {
        return `[${value.map((item, i) => (item === undefined ? 'null' : encode(item, `${path}[${i}]`))).join(',')}]`;
      }
      const record = value as Record<string, unknown>;
      const keys = Object.keys(record)
        .filter((key) => record[key] !== undefined)
        .sort();
      return `{${keys.map((key) => `${JSON.stringify(key)}:${encode(record[key], `${path}.${key}`)}`).join(',')}}`;
    }
    default:
      throw unhashable(path, value);
  }
}

/**
 * A Float32Array (an artifact's `List<Float32>` cell, e.g. a flat gradient) encodes as the sha256 of its little-endian
 * bytes: exact like the JSON of its numbers, and fast for vectors of many thousands of values.
 */
function encodeFloat32(value: Float32Array, path: string): string {
  // x·0 is 0 for every finite x and NaN for ±Infinity and NaN: one sum tells whether to look for the bad index.
  let zero = 0;
  for (let i = 0; i < value.length; i++) zero += (value[i] as number) * 0;
  if (zero !== 0) {
    const i = value.findIndex((x) => !Number.isFinite(x));
    throw unhashable(`${path}[${i}]`, value[i]);
  }
  const bytes = new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  return `{"float32":${JSON.stringify(sha256Hex(bytes))},"length":${value.length}}`;
}

function unhashable(path: string, value: unknown): MetaLoraError {
  return new MetaLoraError(
    'CONFIG_INVALID',
    `${path} cannot be hashed: ${showValue(String(value))} has no exact JSON form`,
    {
      field: path,
      value,
      fix: 'use finite numbers, strings, booleans, null, arrays and plain objects only',
    },
  );
}

/**
 * SHA-256 of a string (UTF-8) or bytes, as 64 lowercase hex digits.
 *
 * @example
 * sha256Hex('abc'); // 'ba7816bf…'
 */
export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * The stable hash of a config: `sha256Hex(canonicalJson(config))`. Key order does not matter; values do.
 *
 * @example
 * configHash({ k: 16, seed: 1 }) === configHash({ seed: 1, k: 16 }); // true
 */
export function configHash(config: unknown): string {
  return sha256Hex(canonicalJson(config));
}

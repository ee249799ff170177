import { expect } from 'vitest';

type ErrorClass<E extends Error> = abstract new (...args: never[]) => E;

/**
 * The error `fn` throws, checked to be an instance of `type`; fails the test when `fn` returns or throws something
 * else (that error is rethrown as it is, so its stack shows).
 *
 * @example
 * const error = thrownBy(() => parseConfig({ r: 0 }), MetaLoraError);
 * expect(error.code).toBe('CONFIG_INVALID');
 */
export function thrownBy<E extends Error>(fn: () => unknown, type: ErrorClass<E>): E {
  try {
    fn();
  } catch (error) {
    if (error instanceof type) return error;
    throw error;
  }
  throw new Error(`expected a ${type.name} to be thrown, but the function returned`);
}

/**
 * The error `promise` rejects with, checked to be an instance of `type`: `thrownBy` for promises.
 *
 * @example
 * const error = await rejectionOf(loadTokenizer(dir), MetaLoraError);
 */
export async function rejectionOf<E extends Error>(promise: Promise<unknown>, type: ErrorClass<E>): Promise<E> {
  let rejected = false;
  let error: unknown;
  try {
    await promise;
  } catch (e) {
    [rejected, error] = [true, e];
  }
  if (!rejected) throw new Error(`expected a ${type.name} rejection, but the promise resolved`);
  if (error instanceof type) return error;
  throw error;
}

/**
 * Checks an error's typed `code`, and that its message contains each string fragment and matches each RegExp.
 *
 * @example
 * expectCode(thrownBy(() => readSafetensors(path), MetaLoraError), 'CHECKPOINT_INVALID', path);
 */
export function expectCode(
  error: Error & { readonly code: string },
  code: string,
  ...fragments: (string | RegExp)[]
): void {
  expect(error.code).toBe(code);
  for (const fragment of fragments) {
    if (typeof fragment === 'string') expect(error.message).toContain(fragment);
    else expect(error.message).toMatch(fragment);
  }
}

/**
 * The error `fn` throws, checked to be an instance of `type`; fails the test when `fn` returns or throws something
 * else (that error is rethrown as it is, so its stack shows).
 *
 * @example
 * const error = thrownBy(() => parseConfig({ r: 0 }), MetaLoraError);
 * expect(error.code).toBe('CONFIG_INVALID');
 */
export function thrownBy<E extends Error>(fn: () => unknown, type: abstract new (...args: never[]) => E): E {
  try {
    fn();
  } catch (error) {
    if (error instanceof type) return error;
    throw error;
  }
  throw new Error(`expected a ${type.name} to be thrown, but the function returned`);
}

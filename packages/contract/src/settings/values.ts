/** How a variable's text becomes its value; throws an Error whose message says what was expected. */
export type Parse<T> = (raw: string) => T;

/** A whole number in [min, max]. */
export function integerIn(min: number, max: number): Parse<number> {
  return (raw) => {
    const value = Number(raw);
    if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(value) || value < min || value > max) {
      throw new Error(`must be a whole number from ${min} to ${max}`);
    }
    return value;
  };
}

/** A number of seconds in [min, max], decimals allowed, as whole milliseconds. */
export function secondsIn(min: number, max: number): Parse<number> {
  return (raw) => {
    const value = Number(raw);
    if (!/^\d+(\.\d+)?$/.test(raw.trim()) || value < min || value > max) {
      throw new Error(`must be a number of seconds from ${min} to ${max}`);
    }
    return Math.round(value * 1000);
  };
}

export function oneOf<T extends string>(values: readonly T[]): Parse<T> {
  return (raw) => {
    if (!(values as readonly string[]).includes(raw)) throw new Error(`must be one of ${values.join(', ')}`);
    return raw as T;
  };
}

export function hostName(raw: string): string {
  if (!/^[A-Za-z0-9.:-]+$/.test(raw)) throw new Error('must be a host name or an IP address');
  return raw;
}

export function nonBlank(raw: string): string {
  if (raw.trim() === '') throw new Error('must not be empty');
  return raw;
}

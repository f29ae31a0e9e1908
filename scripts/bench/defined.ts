/** The value, or an error naming what was missing: for lookups the types cannot prove (map keys, session outputs). */
export function defined<T>(value: T | null | undefined, what: string): T {
  if (value === undefined || value === null) throw new Error(`missing ${what}`);
  return value;
}

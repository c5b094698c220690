/**
 * A text column as a string. Drivers hand text back as strings, but a row read without a declared
 * type is `unknown` per column; this says what a missing value (NULL) becomes: the empty string.
 */
export function text(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value) ?? '';
}

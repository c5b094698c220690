/**
 * Accepts only a local path as a return address: "/services?x=1" stays, while "//evil",
 * "https://evil", "/\\evil", "javascript:…" and anything with control characters are dropped.
 */
export function safeReturnPath(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length === 0 || value.length > 2000) return undefined;
  if (!value.startsWith('/') || value.startsWith('//')) return undefined;
  if (/[\\\s\u0000-\u001f\u007f]/.test(value)) return undefined;
  if (/^\/+[a-z][a-z0-9+.-]*:/i.test(value) || /javascript:/i.test(value)) return undefined;
  return value;
}

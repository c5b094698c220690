/**
 * Accepts only a local path as a return address: "/services?x=1" stays, while "//evil",
 * "https://evil", "/\\evil", "javascript:…", control characters and dot segments are dropped.
 * The same checks run on every percent-decoded layer, so "/%2F%2Fevil.com" or "/%5Cevil" cannot
 * become "//evil.com" in a browser, proxy or a later redirect that decodes it; malformed escapes
 * are dropped too. A dropped value means "no return address", never an error.
 */
export function safeReturnPath(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length === 0 || value.length > 2000) return undefined;
  let layer = value;
  for (let depth = 0; depth < 4; depth += 1) {
    if (!isLocalPath(layer, depth > 0)) return undefined;
    if (!layer.includes('%')) return value;
    let decoded: string;
    try {
      decoded = decodeURIComponent(layer);
    } catch {
      // The address itself must be well-formed; a deeper layer may hold a literal "%".
      return depth === 0 ? undefined : value;
    }
    if (decoded === layer) return value;
    layer = decoded;
  }
  // Still encoded after four layers: nobody links like that on purpose.
  return undefined;
}

function isLocalPath(path: string, decoded: boolean): boolean {
  if (!path.startsWith('/') || path.startsWith('//')) return false;
  // Backslashes (browsers read "/\evil" as "//evil") and control characters; a decoded layer may
  // hold plain spaces ("?q=ann%20smith"), the address as sent may not.
  // eslint-disable-next-line no-control-regex -- control characters are what this refuses
  if (/[\\\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(path) || (!decoded && /\s/.test(path))) return false;
  if (/\b(javascript|data|vbscript):/i.test(path)) return false;
  // "/../" or "/./" in the path part: a local address never needs them.
  const pathPart = path.split(/[?#]/, 1)[0];
  if (/(^|\/)\.{1,2}(\/|$)/.test(pathPart)) return false;
  return true;
}

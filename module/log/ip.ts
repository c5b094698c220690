/**
 * The address as a person reads it. Node reports IPv4 clients on a dual-stack socket as
 * IPv4-mapped IPv6 ("::ffff:203.0.113.7"); the log shows the IPv4 address people know.
 */
export function displayIp(ip: string | null): string | null {
  if (!ip) return ip;
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip);
  return mapped ? mapped[1] : ip;
}

import type { ModuleContext } from '../context';
import { oneLine } from '../names';

/** The longest second line shown; a longer one is cut (the host's text, not the module's). */
export const DESCRIBE_MAX = 120;

/**
 * The host's second line for each account (`accounts.describe`, optional), as the pages show it:
 * one line of text, at most DESCRIBE_MAX characters, only for the ids asked. A host without the
 * member, an answer that is not a Map, or a failing call gives no second lines (logged), never a
 * broken page: the names are still there.
 */
export async function describeAccounts(ctx: ModuleContext, ids: number[]): Promise<Map<number, string>> {
  const accounts = ctx.host.accounts;
  const lines = new Map<number, string>();
  if (typeof accounts.describe !== 'function' || ids.length === 0) return lines;
  try {
    const found: unknown = await accounts.describe(ids);
    if (!(found instanceof Map)) {
      ctx.host.logger.warn('account users: accounts.describe must resolve to a Map of account id to text');
      return lines;
    }
    for (const id of ids) {
      const value: unknown = found.get(id);
      const chars = typeof value === 'string' ? [...oneLine(value).trim()] : [];
      if (chars.length)
        lines.set(id, chars.length > DESCRIBE_MAX ? `${chars.slice(0, DESCRIBE_MAX - 1).join('')}…` : chars.join(''));
    }
  } catch (err) {
    ctx.host.logger.error('account users: accounts.describe failed', {
      err: err instanceof Error ? err.message : String(err),
    });
  }
  return lines;
}

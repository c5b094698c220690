import type { HookHandler, HookRegistry, Logger } from '../module/index';

/**
 * The portal's hook registry (names as in WHMCS). Handlers run in priority order; one that
 * throws is logged and skipped, so a module can never break a host page.
 */
export class Hooks implements HookRegistry {
  private handlers = new Map<string, Array<{ fn: HookHandler; priority: number }>>();

  constructor(private readonly logger: Logger) {}

  on(name: string, fn: HookHandler, priority = 10): void {
    const list = [...(this.handlers.get(name) ?? []), { fn, priority }];
    list.sort((a, b) => a.priority - b.priority);
    this.handlers.set(name, list);
  }

  off(name: string, fn: HookHandler): void {
    this.handlers.set(
      name,
      (this.handlers.get(name) ?? []).filter((h) => h.fn !== fn),
    );
  }

  async emit(name: string, payload: unknown): Promise<void> {
    for (const { fn } of this.handlers.get(name) ?? []) {
      try {
        await fn(payload);
      } catch (err) {
        this.logger.error(`hook ${name} failed`, { err: err instanceof Error ? err.stack : String(err) });
      }
    }
  }
}

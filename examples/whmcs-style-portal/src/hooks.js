/**
 * The portal's hook points, named as in WHMCS (ClientAdd, UserLogin, ClientAreaNavbar, …).
 * Handlers run in priority order and are awaited; one that throws is logged and the others
 * still run, so an addon can never break a portal page.
 */
class Hooks {
  constructor(logger) {
    this.logger = logger;
    this.handlers = new Map();
  }

  on(name, fn, priority = 10) {
    const list = [...(this.handlers.get(name) ?? []), { fn, priority }];
    this.handlers.set(
      name,
      list.sort((a, b) => a.priority - b.priority),
    );
  }

  off(name, fn) {
    this.handlers.set(
      name,
      (this.handlers.get(name) ?? []).filter((h) => h.fn !== fn),
    );
  }

  async emit(name, payload) {
    for (const { fn } of this.handlers.get(name) ?? []) {
      try {
        await fn(payload);
      } catch (err) {
        this.logger.error(`hook ${name} failed`, { err: err instanceof Error ? err.stack : String(err) });
      }
    }
  }
}

module.exports = { Hooks };

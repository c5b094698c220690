/**
 * The one error type of the module. `messageKey` is a lang/ key, so the page that shows it is
 * translated; `status` is the HTTP answer.
 */
export class ModuleError extends Error {
  constructor(
    readonly status: number,
    readonly messageKey: string,
    readonly params: Record<string, unknown> = {},
  ) {
    super(messageKey);
    this.name = 'ModuleError';
  }

  /** Not found and "not yours" answer alike, so ids of other accounts reveal nothing. */
  static notFound(): ModuleError {
    return new ModuleError(404, 'errors.notFound');
  }

  static forbidden(messageKey = 'errors.forbidden', params: Record<string, unknown> = {}): ModuleError {
    return new ModuleError(403, messageKey, params);
  }

  static invalid(messageKey: string, params: Record<string, unknown> = {}): ModuleError {
    return new ModuleError(422, messageKey, params);
  }

  static conflict(messageKey: string, params: Record<string, unknown> = {}): ModuleError {
    return new ModuleError(409, messageKey, params);
  }
}

/** True for a unique-constraint violation on SQLite or MySQL/MariaDB. */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; errno?: number };
  return e?.code === 'ER_DUP_ENTRY' || e?.errno === 1062 || e?.code === 'SQLITE_CONSTRAINT_UNIQUE' || e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/** Why a service refused: what kind of "no" it is, never how a page answers it. */
export type RefusalKind = 'notFound' | 'forbidden' | 'conflict' | 'invalid' | 'rateLimited' | 'unavailable';

/** Form fields a refusal points at, each with the lang/ key shown beside the field. */
export type FieldErrors = Partial<Record<string, string>>;

/**
 * The one error type of the module: a service refusing what it was asked. `messageKey` is a
 * lang/ key, so the page that shows it is translated; `fieldErrors` tie messages to a form's
 * fields. It carries no HTTP status: module/refusal-http.ts decides how a page answers each kind.
 */
export class Refusal extends Error {
  constructor(
    readonly kind: RefusalKind,
    readonly messageKey: string,
    readonly params: Record<string, unknown> = {},
    readonly fieldErrors: FieldErrors = {},
  ) {
    super(messageKey);
    this.name = 'Refusal';
  }

  /** Not found and "not yours" answer alike, so ids of other accounts reveal nothing. */
  static notFound(): Refusal {
    return new Refusal('notFound', 'errors.notFound');
  }

  static forbidden(messageKey = 'errors.forbidden', params: Record<string, unknown> = {}): Refusal {
    return new Refusal('forbidden', messageKey, params);
  }

  static invalid(messageKey: string, params: Record<string, unknown> = {}, fieldErrors: FieldErrors = {}): Refusal {
    return new Refusal('invalid', messageKey, params, fieldErrors);
  }

  static conflict(messageKey: string, params: Record<string, unknown> = {}, fieldErrors: FieldErrors = {}): Refusal {
    return new Refusal('conflict', messageKey, params, fieldErrors);
  }

  static rateLimited(messageKey: string, params: Record<string, unknown> = {}): Refusal {
    return new Refusal('rateLimited', messageKey, params);
  }
}

/** True for a unique-constraint violation on SQLite or MySQL/MariaDB. */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; errno?: number };
  return (
    e?.code === 'ER_DUP_ENTRY' ||
    e?.errno === 1062 ||
    e?.code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY'
  );
}

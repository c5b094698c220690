/** A field of a posted form as it came: arrays, objects, missing fields and a request without a body give ''. */
export function formField(body: unknown, name: string): string {
  const value = (body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : '';
}

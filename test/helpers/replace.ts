/**
 * Puts `replacement` in place of an object's method until the returned function puts the method
 * back, for tests that make the mail server or the host fail for a moment. The method is put back
 * as it was found: the object's own, or none of its own so the prototype's shows again.
 */
export function replaceMethod<T extends object, K extends keyof T>(target: T, key: K, replacement: T[K]): () => void {
  const own = Object.getOwnPropertyDescriptor(target, key);
  target[key] = replacement;
  return () => {
    if (own) Object.defineProperty(target, key, own);
    else Reflect.deleteProperty(target, key);
  };
}

/**
 * `load()`'s result, loaded on the first call and shared by every call after
 * it (and by calls made while it loads): a module beside a bundle, a client
 * made from it, a file read once. A load that fails is not kept: the next
 * call tries again, so a passing fault does not spoil the container.
 */
export function onFirstUse<T>(load: () => Promise<T>): () => Promise<T> {
  let loaded: Promise<T> | undefined;
  return () => {
    loaded ??= load().catch((error: unknown) => {
      loaded = undefined;
      throw error;
    });
    return loaded;
  };
}

import type { ClientContext } from './client-context.js';
import { withRetry } from './http/retry.js';

/**
 * Reference 2 "Validation probe": `GET {library}/?format=text&result_count=1` without following
 * redirects; 200 or a redirect (other than to the login page) means the credentials work.
 * 401 -> one refresh, then AuthRefusedError; 403 -> PermissionError.
 */
export async function probe(ctx: ClientContext, signal?: AbortSignal): Promise<void> {
  const url = new URL('?format=text&result_count=1', ctx.libraryUrl).toString();
  await withRetry(ctx.retry, url, signal, async () => {
    const response = await ctx.transport.send(url, { signal, redirectIsSuccess: true });
    await response.body.dump().catch(() => undefined);
  });
}

/**
 * The provider's clock, read from the `Date` header of one of its answers. A lost batch create is
 * looked up among the batches created since its intent, by the provider's creation times: an
 * intent stamped by a client clock minutes ahead of the provider's would pass over its own batch,
 * taken as never created and paid again. Second resolution, which the lookup's allowance covers.
 * Undefined without a readable header.
 */
export function providerDate(headers: Pick<Headers, 'get'>): Date | undefined {
  const value = headers.get('date');
  if (value === null) return undefined;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? new Date(ms) : undefined;
}

/**
 * The provider's time now, from its answer to `ask` (a free list call); the local time when that
 * fails or has no readable header (the create that follows then fails the same way, or its batch
 * is looked up by the local time).
 */
export async function providerNow(ask: () => Promise<{ response: { headers: Pick<Headers, 'get'> } }>): Promise<Date> {
  try {
    const { response } = await ask();
    return providerDate(response.headers) ?? new Date();
  } catch {
    return new Date();
  }
}

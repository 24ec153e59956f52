// Counts the HTTP requests an adapter sends (every attempt, retries included), and the item
// operations they carry: Graph throttles each item of a $batch as one request, so `operations`
// counts every $batch item as one and the $batch request itself as none. The benchmarks report
// both, and tests assert that a read is as cheap as designed.

export class RequestCounter {
  private counts = new Map<string, number>();
  private totalCount = 0;
  private batchRequests = 0;
  private batchItems = 0;

  /** Records one request under a key such as "GET /policies/crossTenantAccessPolicy/partners". */
  add(key: string): void {
    this.totalCount += 1;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  get total(): number {
    return this.totalCount;
  }

  /** Records that a $batch request (already counted as one request) carried `items` operations. */
  addBatch(items: number): void {
    this.batchRequests += 1;
    this.batchItems += items;
  }

  /** Item operations: requests outside $batch, plus every $batch item. */
  get operations(): number {
    return this.totalCount - this.batchRequests + this.batchItems;
  }

  /** Counts by key (plain data). */
  snapshot(): { total: number; operations: number; byKey: Record<string, number> } {
    return { total: this.totalCount, operations: this.operations, byKey: Object.fromEntries(this.counts) };
  }

  reset(): void {
    this.counts.clear();
    this.totalCount = 0;
    this.batchRequests = 0;
    this.batchItems = 0;
  }
}

const GUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/** "GET /policies/.../partners/{id}" from a method and URL: ids folded, query dropped, base removed. */
export function requestKey(method: string, url: string, baseUrl: string): string {
  let path = url.startsWith(baseUrl) ? url.slice(baseUrl.length) : url;
  path = path.split('?')[0].replace(GUID, '{id}');
  return `${method.toUpperCase()} ${path || '/'}`;
}

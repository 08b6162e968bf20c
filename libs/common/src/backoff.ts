/**
 * How long to wait before try `tryNo + 1`: exponential, with jitter, so that writers that collided
 * once do not collide again in step. Capped, so a long outage is polled, not waited out.
 */
export function backoff(tryNo: number, baseMs = 20, capMs = 5_000): number {
  return Math.min(capMs, baseMs * 2 ** (tryNo - 1)) * (0.5 + Math.random());
}

import type { Pool, PoolClient } from 'pg';

/**
 * The connections each of this process's pools holds open to the database. A wait for a pooled
 * connection that runs out means "busy" while some are open (they are all taken), but "not
 * reachable" when none is: the connections being opened hang, and the requests queued behind them
 * run out of time with the same message.
 */
const pools = new Map<Pool, Set<PoolClient>>();

/**
 * Follows a pool's connections as they open and close (pg-pool's `connect` and `remove`). One that
 * opened before the pool was watched (TypeORM's first query, as it starts) is known at its next
 * `acquire`: only an open connection is handed out.
 */
export function watchPool(pool: Pool): void {
  const open = new Set<PoolClient>();
  pools.set(pool, open);
  pool.on('connect', (client) => open.add(client));
  pool.on('acquire', (client) => open.add(client));
  pool.on('remove', (client) => open.delete(client));
}

/**
 * Whether some pool holds an open connection. pg-pool drops a client from its count at once when it
 * removes it, but says `remove` only once the connection has closed, which a silent peer (a network
 * partition) can put off for minutes: so a pool counts as many open connections as it still has
 * clients at most.
 */
export function holdsOpenConnections(): boolean {
  for (const [pool, open] of pools) {
    if (Math.min(open.size, pool.totalCount) > 0) return true;
  }
  return false;
}

import type { Pool, PoolClient } from 'pg';

/**
 * The connections this process's pools hold open to the database. A wait for a pooled connection
 * that runs out means "busy" while some are open (they are all taken), but "not reachable" when
 * none is: the connections being opened hang, and the requests queued behind them run out of time
 * with the same message.
 */
const open = new Set<PoolClient>();

/**
 * Follows a pool's connections as they open and close (pg-pool's `connect` and `remove`). One that
 * opened before the pool was watched (TypeORM's first query, as it starts) is known at its next
 * `acquire`: only an open connection is handed out.
 */
export function watchPool(pool: Pool): void {
  pool.on('connect', (client) => open.add(client));
  pool.on('acquire', (client) => open.add(client));
  pool.on('remove', (client) => open.delete(client));
}

export function holdsOpenConnections(): boolean {
  return open.size > 0;
}

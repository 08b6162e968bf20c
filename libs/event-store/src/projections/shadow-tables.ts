import type { QueryRunner } from 'typeorm';

/** Where a read model's rebuild writes: a schema of its own, named after it. */
export function shadowSchemaOf(projection: string): string {
  return `rebuild_${projection.toLowerCase().replace(/[^a-z0-9_]/g, '_')}`;
}

interface ConstraintRow {
  name: string;
  definition: string;
}

interface IndexRow {
  definition: string;
}

/** Parked events of a rebuild go to a shadow copy of the dead letters, moved in at the swap. */
export const DEAD_LETTERS = 'projection_dead_letters';

/**
 * Empty copies of `tables` (and of the dead letters) in `schema`, made anew: columns, defaults,
 * checks, identity and storage by LIKE; primary keys, unique and exclusion constraints, and foreign
 * keys out of the table under their live names, so that the swapped-in tables keep the names that
 * migrations and error handlers know. UNLOGGED skips the WAL while replaying; `setLogged` writes
 * them once, before the swap. A foreign key into one of these tables from elsewhere would stop the
 * swap (the live table is dropped): refused up front.
 */
export async function createShadowTables(db: QueryRunner, schema: string, tables: readonly string[], unlogged: boolean, fillfactor?: number): Promise<void> {
  const [incoming] = await db.query(
    `SELECT c.conname AS name, c.conrelid::regclass::text AS owner FROM pg_constraint c
     WHERE c.contype = 'f' AND c.confrelid = ANY($1::regclass[]) AND NOT c.conrelid = ANY($1::regclass[]) LIMIT 1`,
    [tables.map((t) => `public.${t}`)],
  );
  if (incoming) throw new Error(`Cannot rebuild ${tables.join(', ')} by swapping tables: ${incoming.owner} has a foreign key (${incoming.name}) into them`);
  await db.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await db.query(`CREATE SCHEMA ${schema}`);
  for (const table of [...tables, DEAD_LETTERS]) {
    // Room left on each page lets a replayed update stay on its row's page without a new index entry (HOT).
    const room = fillfactor && table !== DEAD_LETTERS ? ` WITH (fillfactor = ${Math.round(fillfactor)})` : '';
    await db.query(`CREATE ${unlogged ? 'UNLOGGED ' : ''}TABLE ${schema}.${table} (LIKE public.${table} INCLUDING ALL EXCLUDING INDEXES)${room}`);
    const constraints: ConstraintRow[] = await db.query(
      `SELECT conname AS name, pg_get_constraintdef(oid) AS definition FROM pg_constraint
       WHERE conrelid = $1::regclass AND contype IN ('p', 'u', 'x', 'f') ORDER BY contype = 'f', conname`,
      [`public.${table}`],
    );
    for (const c of constraints) await db.query(`ALTER TABLE ${schema}.${table} ADD CONSTRAINT "${c.name}" ${c.definition}`);
  }
}

/**
 * The live tables' other indexes (not behind a constraint), built on the shadow tables once they
 * are filled: one pass over the rows is cheaper than keeping each index up to date while replaying.
 * The replay's lookups go by primary key.
 */
export async function createShadowIndexes(db: QueryRunner, schema: string, tables: readonly string[]): Promise<void> {
  for (const table of tables) {
    const indexes: IndexRow[] = await db.query(
      `SELECT pg_get_indexdef(i.indexrelid) AS definition FROM pg_index i
       WHERE i.indrelid = $1::regclass
         AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conrelid = i.indrelid AND c.conindid = i.indexrelid)`,
      [`public.${table}`],
    );
    for (const { definition } of indexes) {
      // "CREATE [UNIQUE] INDEX name ON [ONLY] public.t USING …": same name, the shadow table.
      await db.query(definition.replace(/ ON (ONLY )?\S+ /, ` ON $1${schema}.${table} `));
    }
    // The live table's storage parameters, whatever the replay used.
    const [{ options }] = await db.query('SELECT reloptions AS options FROM pg_class WHERE oid = $1::regclass', [`public.${table}`]);
    await db.query(`ALTER TABLE ${schema}.${table} RESET (fillfactor)`);
    if (options?.length) await db.query(`ALTER TABLE ${schema}.${table} SET (${options.join(', ')})`);
    await db.query(`ANALYZE ${schema}.${table}`);
  }
}

export async function setLogged(db: QueryRunner, schema: string, tables: readonly string[]): Promise<void> {
  for (const table of tables) await db.query(`ALTER TABLE ${schema}.${table} SET LOGGED`);
}

/**
 * Inside the swap transaction, which holds ACCESS EXCLUSIVE locks on the live tables: each live
 * table dropped and its shadow moved into public under the same name. Readers wait for the commit
 * and then see the new table; none sees a missing one. The parked events replace the old ones.
 */
export async function swapInShadowTables(db: QueryRunner, schema: string, tables: readonly string[], projection: string): Promise<void> {
  for (const table of tables) {
    await db.query(`DROP TABLE public.${table}`);
    await db.query(`ALTER TABLE ${schema}.${table} SET SCHEMA public`);
  }
  await db.query(`DELETE FROM public.${DEAD_LETTERS} WHERE projection = $1`, [projection]);
  await db.query(
    `INSERT INTO public.${DEAD_LETTERS} (projection, global_position, event_id, event_type, stream_id, error, attempts, parked_at)
     SELECT projection, global_position, event_id, event_type, stream_id, error, attempts, parked_at FROM ${schema}.${DEAD_LETTERS}`,
  );
  await db.query(`DROP SCHEMA ${schema} CASCADE`);
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The audit log becomes a Merkle tree sealed after commit (RFC 9162), replacing the hash chain
 * and its single head row. A command's transaction only inserts its entry (numbered by a sequence,
 * stamped with its transaction id); the sealer later gives it its `seq` (leaf index + 1) and leaf
 * hash, once, in commit order, and stores the tree's nodes and signed heads. Existing entries are
 * unnumbered here so that the sealer seals them first, in their current order.
 */
export class AuditMerkleLog1795910412000 implements MigrationInterface {
  name = 'AuditMerkleLog1795910412000';

  async up(db: QueryRunner): Promise<void> {
    await db.query('DROP TRIGGER audit_log_append_only ON audit_log');
    await db.query('ALTER TABLE audit_log DROP CONSTRAINT audit_log_pkey');
    await db.query('ALTER TABLE audit_log ADD COLUMN position bigint');
    await db.query('UPDATE audit_log SET position = seq');
    await db.query('ALTER TABLE audit_log ALTER COLUMN position SET NOT NULL, ADD PRIMARY KEY (position)');
    await db.query('CREATE SEQUENCE audit_log_position_seq OWNED BY audit_log.position');
    await db.query("SELECT setval('audit_log_position_seq', coalesce(max(position), 0) + 1, false) FROM audit_log");
    await db.query("ALTER TABLE audit_log ALTER COLUMN position SET DEFAULT nextval('audit_log_position_seq')");
    // Every existing entry gets this migration's transaction id, so they are sealed by position = old seq.
    await db.query('ALTER TABLE audit_log ADD COLUMN transaction_id xid8 NOT NULL DEFAULT pg_current_xact_id()');
    await db.query('ALTER TABLE audit_log ALTER COLUMN seq DROP NOT NULL');
    await db.query('UPDATE audit_log SET seq = NULL');
    await db.query('ALTER TABLE audit_log ADD COLUMN leaf_hash char(64)');
    await db.query('ALTER TABLE audit_log ADD CONSTRAINT audit_log_seq_unique UNIQUE (seq)');
    await db.query('ALTER TABLE audit_log DROP COLUMN prev_hash, DROP COLUMN hash');
    await db.query('DROP TABLE audit_chain_head');
    // What the sealer reads: the entries not yet sealed, in commit order.
    await db.query('CREATE INDEX audit_log_unsealed_idx ON audit_log (transaction_id, position) WHERE seq IS NULL');

    // Append-only, but for the sealer's one numbering of an entry, which changes nothing else in it.
    await db.query(`
      CREATE FUNCTION chancery_audit_seal_once() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'UPDATE' AND OLD.seq IS NULL AND OLD.leaf_hash IS NULL AND NEW.seq IS NOT NULL AND NEW.leaf_hash IS NOT NULL
           AND (to_jsonb(NEW) - 'seq' - 'leaf_hash') = (to_jsonb(OLD) - 'seq' - 'leaf_hash') THEN
          RETURN NEW;
        END IF;
        RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await db.query(`
      CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
      FOR EACH ROW EXECUTE FUNCTION chancery_audit_seal_once()`);

    // Every complete subtree: level L, index i covers leaves [i·2^L, (i+1)·2^L). Proofs read O(log n) of them.
    await db.query(`
      CREATE TABLE audit_tree_nodes (
        level smallint NOT NULL,
        index bigint   NOT NULL,
        hash  bytea    NOT NULL,
        PRIMARY KEY (level, index)
      )`);
    // Signed tree heads: the signature covers RFC 8785 {rootHash, timestamp, treeSize}.
    await db.query(`
      CREATE TABLE audit_tree_heads (
        tree_size  bigint PRIMARY KEY,
        root_hash  char(64) NOT NULL,
        timestamp  text NOT NULL,
        signature  text NOT NULL,
        public_key text NOT NULL
      )`);
    for (const table of ['audit_tree_nodes', 'audit_tree_heads']) {
      await db.query(`CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION chancery_refuse_mutation()`);
      await db.query(`CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION chancery_refuse_mutation()`);
    }
  }

  async down(): Promise<void> {
    throw new Error('The audit log cannot go back to a hash chain: restore a backup instead');
  }
}

import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { createTestDatabase, type TestDatabase } from '../../../test/support/test-database.js';
import { AuditLog } from './audit-log.js';

describe('AuditLog', () => {
  let database: TestDatabase;
  let dataSource: DataSource;
  let audit: AuditLog;

  beforeAll(async () => {
    database = await createTestDatabase(20);
    dataSource = await database.dataSource();
    audit = new AuditLog(dataSource);
  });
  afterAll(() => database.drop());

  it('chains concurrent appends into one valid sequence', async () => {
    await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        audit.append({ actorId: `u${i % 7}`, actorRole: 'drafter', action: 'EditCable', streamId: `cable-${i % 3}`, requestId: randomUUID() }),
      ),
    );
    const result = await audit.verify();
    expect(result).toMatchObject({ valid: true, entries: 100 });
    const { items, total } = await audit.list({ streamId: 'cable-1', limit: 5 });
    expect(total).toBe(33);
    expect(items).toHaveLength(5);
    expect(items.every((item) => item.streamId === 'cable-1')).toBe(true);
  });

  it('is refused UPDATE and DELETE by the database', async () => {
    await expect(dataSource.query(`UPDATE audit_log SET actor_id = 'x' WHERE seq = 1`)).rejects.toThrow(/append-only/);
    await expect(dataSource.query('DELETE FROM audit_log WHERE seq = 1')).rejects.toThrow(/append-only/);
  });

  async function behindTheTrigger(statement: string, params: unknown[] = []) {
    await dataSource.query('ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only');
    try {
      await dataSource.query(statement, params);
    } finally {
      await dataSource.query('ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only');
    }
  }

  it('finds an entry tampered with behind the trigger, and names it', async () => {
    const [{ actor_id: original }] = await dataSource.query('SELECT actor_id FROM audit_log WHERE seq = 42');
    await behindTheTrigger(`UPDATE audit_log SET actor_id = 'mallory' WHERE seq = 42`);
    const result = await audit.verify();
    expect(result.valid).toBe(false);
    expect(result.entries).toBe(41);
    expect(result.firstBroken).toEqual({ seq: 42, reason: expect.stringMatching(/altered/) });

    await behindTheTrigger('UPDATE audit_log SET actor_id = $1 WHERE seq = 42', [original]);
    expect((await audit.verify()).valid).toBe(true);
  });

  it('finds entries cut from the end of the log', async () => {
    await behindTheTrigger('DELETE FROM audit_log WHERE seq > 98');
    const result = await audit.verify();
    expect(result).toMatchObject({ valid: false, entries: 98, firstBroken: { seq: 99, reason: expect.stringMatching(/head says 100/) } });
  });
});

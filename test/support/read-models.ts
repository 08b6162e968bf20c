import type { DataSource } from 'typeorm';
import type { ProjectionRunner } from '@chancery/event-store';

/** Each projection's tables, in a stable order, for comparing before and after a rebuild. */
export const READ_MODEL_TABLES: Record<string, string[]> = {
  users: ['SELECT * FROM users ORDER BY id'],
  posts: ['SELECT * FROM posts ORDER BY code'],
  cables: ['SELECT * FROM cables ORDER BY id'],
  demarches: [
    'SELECT * FROM demarche_campaigns ORDER BY id',
    'SELECT * FROM demarche_deliveries ORDER BY campaign_id, post',
    'SELECT * FROM demarche_counts WHERE count > 0 ORDER BY campaign_id, bureau, status, position',
  ],
  'follow-ups': ['SELECT * FROM follow_ups ORDER BY id'],
  notifications: [
    'SELECT * FROM notifications ORDER BY id',
    'SELECT * FROM notification_facts ORDER BY record_id',
    'SELECT * FROM notification_reads ORDER BY user_id, notification_id',
    'SELECT * FROM notification_read_marks ORDER BY user_id',
  ],
};

export const readModel = (dataSource: DataSource, name: string) => Promise.all(READ_MODEL_TABLES[name].map((q) => dataSource.query(q)));

/** Rebuilds every read model from zero and answers, for each, its content before and after. */
export async function rebuildEach(dataSource: DataSource, runner: ProjectionRunner): Promise<{ name: string; before: unknown[]; after: unknown[] }[]> {
  const results = [];
  for (const name of Object.keys(READ_MODEL_TABLES)) {
    const before = await readModel(dataSource, name);
    await runner.rebuild(name);
    results.push({ name, before, after: await readModel(dataSource, name) });
  }
  return results;
}

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { EmbeddedDatabaseBusyError, EmbeddedPostgres } from '@chancery/database';
import { NotesFixtureModule } from './fixtures/notes.module.js';
import { createTestApp } from './support/test-app.js';

describe('embedded mode (no DATABASE_URL)', () => {
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'chancery-embedded-'));
  });
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  it('runs on PGlite with a pool of one, migrates at start, and keeps data across a restart', async () => {
    const env = { CHANCERY_DATA_DIR: dataDir };
    const first = await createTestApp(undefined, { env, imports: [NotesFixtureModule] });
    const pool = (first.app.get(DataSource).driver as unknown as { master: { options: { max: number } } }).master;
    expect(pool.options.max).toBe(1);
    await request(first.app.getHttpServer()).get('/health').expect(200);
    const created = await request(first.app.getHttpServer()).post('/notes').send({ title: 'Kept' }).expect(201);
    await first.app.close();

    const second = await createTestApp(undefined, { env, imports: [NotesFixtureModule] });
    try {
      const read = await request(second.app.getHttpServer()).get(`/notes/${created.body.id}`).expect(200);
      expect(read.body).toMatchObject({ title: 'Kept', version: 1 });
      const [{ n }] = await second.app.get(DataSource).query('SELECT count(*)::int AS n FROM audit_log');
      expect(n).toBe(1);
    } finally {
      await second.app.close();
    }
  });

  it('keeps a second process from opening the same data folder', async () => {
    const owner = await EmbeddedPostgres.start(dataDir);
    try {
      await expect(EmbeddedPostgres.start(dataDir)).rejects.toBeInstanceOf(EmbeddedDatabaseBusyError);
    } finally {
      await owner.stop();
    }
    const next = await EmbeddedPostgres.start(dataDir);
    await next.stop();
  });
});

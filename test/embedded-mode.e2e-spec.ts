import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { AuditSealer, parseHeadsFile } from '@chancery/audit';
import { EmbeddedDatabaseBusyError, EmbeddedPostgres } from '@chancery/database';
import { ProjectionRunner } from '@chancery/event-store';
import { NotesFixtureModule } from './fixtures/notes.module.js';
import { createTestApp, loginAsAdmin } from './support/test-app.js';

describe('embedded mode (no DATABASE_URL)', () => {
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'chancery-embedded-'));
  });
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  it('runs on PGlite with a pool of one, migrates at start, and keeps data across a restart', async () => {
    // Embedded mode keeps its own signing key; the posts are seeded on the first start only.
    const env = { CHANCERY_DATA_DIR: dataDir, JWT_SECRET: '', SEED_POSTS: 'true' };
    const first = await createTestApp(undefined, { env, imports: [NotesFixtureModule] });
    const pool = (first.app.get(DataSource).driver as unknown as { master: { options: { max: number } } }).master;
    expect(pool.options.max).toBe(1);
    await request(first.app.getHttpServer()).get('/health').expect(200);
    const token = await loginAsAdmin(first.app);
    const created = await request(first.app.getHttpServer()).post('/notes').set('Authorization', `Bearer ${token}`).send({ title: 'Kept' }).expect(201);
    await first.app.close();

    const second = await createTestApp(undefined, { env, imports: [NotesFixtureModule] });
    try {
      // The token is still good: the signing key generated in the data folder survived the restart.
      const read = await request(second.app.getHttpServer()).get(`/notes/${created.body.id}`).set('Authorization', `Bearer ${token}`).expect(200);
      expect(read.body).toMatchObject({ title: 'Kept', version: 1 });
      const posts = await request(second.app.getHttpServer()).get('/posts?limit=500').set('Authorization', `Bearer ${token}`).expect(200);
      expect(posts.body.total).toBeGreaterThanOrEqual(250);
      const [{ established }] = await second.app.get(DataSource).query(`SELECT count(*)::int AS established FROM events WHERE type = 'PostEstablished'`);
      expect(established).toBe(posts.body.total); // the second start seeded nothing again
      const actions = await second.app.get(DataSource).query(`SELECT action FROM audit_log WHERE action NOT LIKE '%Post' ORDER BY position`);
      // The office directory and the admin are seeded side by side at the first start: in either order.
      const names = actions.map((a: { action: string }) => a.action);
      expect([...names.slice(0, 2).sort(), ...names.slice(2)]).toEqual(['AddOffices', 'RegisterUser', 'Login', 'CreateNote']);
      // A rebuild by shadow tables works on its one connection too (no page read ahead on a second).
      const postsTable = () => second.app.get(DataSource).query('SELECT * FROM posts ORDER BY code');
      const before = await postsTable();
      const rebuilt = await second.app.get(ProjectionRunner).rebuild('posts');
      expect(rebuilt.parked).toBe(0);
      expect(rebuilt.replayed).toBeGreaterThanOrEqual(before.length);
      expect(await postsTable()).toEqual(before);
      // The audit log seals on the one connection, with a key generated into the data folder (0600).
      await second.app.get(AuditSealer).catchUp();
      const head = await request(second.app.getHttpServer()).get('/audit/tree-head').set('Authorization', `Bearer ${token}`).expect(200);
      expect(head.body.treeSize).toBeGreaterThanOrEqual(3);
      expect((await stat(join(dataDir, 'audit-signing-key.pem'))).mode & 0o777).toBe(0o600);
      expect(parseHeadsFile(await readFile(join(dataDir, 'audit-heads.jsonl'), 'utf8')).at(-1)).toEqual(head.body);
    } finally {
      await second.app.close();
    }
  });

  it('serves PGlite on a Unix socket in a folder only its user may enter, never on a TCP port, and removes it at stop', async () => {
    const embedded = await EmbeddedPostgres.start();
    const folder = embedded.socketDir!;
    try {
      expect(new URL(embedded.url).searchParams.get('host')).toBe(folder);
      expect((await stat(folder)).mode & 0o777).toBe(0o700);
      expect((await stat(join(folder, '.s.PGSQL.5432'))).isSocket()).toBe(true);
      const client = new pg.Client({ connectionString: embedded.url });
      await client.connect();
      try {
        expect((await client.query('SELECT 1 + 1 AS two')).rows).toEqual([{ two: 2 }]);
      } finally {
        await client.end();
      }
    } finally {
      await embedded.stop();
    }
    await expect(stat(folder)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('removes the socket folder when the process exits without stopping it (a failed start, a crash, the forced exit)', async () => {
    const before = new Set(process.listeners('exit'));
    const embedded = await EmbeddedPostgres.start();
    const added = process.listeners('exit').filter((listener) => !before.has(listener));
    try {
      expect(added).toHaveLength(1);
      (added[0] as () => void)(); // what the process runs as it exits
      await expect(stat(embedded.socketDir!)).rejects.toMatchObject({ code: 'ENOENT' });
    } finally {
      await embedded.stop();
    }
    expect(process.listeners('exit').filter((listener) => !before.has(listener))).toEqual([]);
  });

  it('clears the socket folders of servers killed outright, and leaves a live one alone', async () => {
    const live = await EmbeddedPostgres.start();
    // A process that listened on a socket and was killed: the folder and the socket file stay.
    const dead = await mkdtemp(join(tmpdir(), 'chancery-db-'));
    const killed = spawn(process.execPath, ['-e', "require('net').createServer().listen(process.argv[1], () => console.log('up'))", join(dead, '.s.PGSQL.5432')], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise((resolve) => killed.stdout!.once('data', resolve));
    killed.kill('SIGKILL');
    await new Promise((resolve) => killed.once('exit', resolve));
    const anHourAgo = new Date(Date.now() - 3_600_000);
    for (const folder of [dead, live.socketDir!]) await utimes(folder, anHourAgo, anHourAgo);
    const next = await EmbeddedPostgres.start();
    try {
      await expect(stat(dead)).rejects.toMatchObject({ code: 'ENOENT' });
      expect((await stat(join(live.socketDir!, '.s.PGSQL.5432'))).isSocket()).toBe(true);
    } finally {
      await next.stop();
      await live.stop();
    }
  });

  it('keeps a second process from opening the same data folder', async () => {
    const owner = await EmbeddedPostgres.start(dataDir);
    try {
      await expect(EmbeddedPostgres.start(dataDir)).rejects.toBeInstanceOf(EmbeddedDatabaseBusyError);
      await expect(EmbeddedPostgres.start(dataDir)).rejects.toThrow(`in use by another Chancery process (pid ${process.pid})`);
    } finally {
      await owner.stop();
    }
    const next = await EmbeddedPostgres.start(dataDir);
    await next.stop();
  });

  it('takes over a lock left by a killed process whose pid now names another process (a restart, a container)', async () => {
    const lock = `${join(dataDir, 'pglite')}.lock`;
    const leave = async (owner: string) => {
      await mkdir(lock, { recursive: true });
      await writeFile(join(lock, 'owner.pid'), owner);
    };
    // This very process's pid, written by an earlier one: same pid, another boot and start time.
    await leave(`${process.pid} 00000000-0000-0000-0000-000000000000:1`);
    const next = await EmbeddedPostgres.start(dataDir);
    await next.stop();
    // A live pid with nothing to tell it from its owner (an older lock, a system with no /proc) is still refused.
    await leave(String(process.pid));
    await expect(EmbeddedPostgres.start(dataDir)).rejects.toThrow(`in use by another Chancery process (pid ${process.pid})`);
    await rm(lock, { recursive: true, force: true });
  });
});

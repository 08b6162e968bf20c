import type { INestApplication } from '@nestjs/common';
import type { DataSource, QueryRunner } from 'typeorm';
import { ProjectionRunner } from '@chancery/event-store';
import { authed, releaseCable } from './support/http.js';
import { createTestApp, createUser, loginAsAdmin } from './support/test-app.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';

/**
 * A read as of a past instant is the same whenever it is asked. A command's events are stamped
 * when their rows are inserted, but its transaction commits later (here: its inline projection
 * queues behind a row lock this test holds). A read as of an instant after the insert, asked before
 * the commit, must wait for it rather than answer without it, and answer what it answers later.
 */
describe('a read as of a past instant waits for the changes begun by then', () => {
  let database: TestDatabase;
  let app: INestApplication;
  let side: DataSource;
  const t = {} as Record<'admin' | 'drafter' | 'approver' | 'leader' | 'beijing', string>;
  let campaignId: string;
  const as = (token: string) => authed(app, token);
  const today = new Date().toISOString().slice(0, 10);
  const delivered = { deliveredOn: today, counterpart: { name: 'N', title: 'T', organization: 'O' }, level: 'DIRECTOR', method: 'IN_PERSON' };
  const draft = {
    kind: 'INSTRUCTION', subject: 'Past reads', classification: 'UNCLASSIFIED', captions: [], precedence: 'ROUTINE', tags: ['PREL'],
    actionAddressees: ['BEIJING', 'TOKYO'], paragraphs: [{ marking: 'U', text: 'Raise the concern.' }],
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    ({ app } = await createTestApp(database, { env: { SEED_POSTS: 'true' } }));
    side = await database.dataSource(2);
    t.admin = await loginAsAdmin(app);
    t.drafter = (await createUser(app, t.admin, { username: 'jdoe', roles: ['drafter'], office: 'EAP/CM', clearance: 'SECRET' })).token;
    t.approver = (await createUser(app, t.admin, { username: 'dsec', roles: ['approver'], office: 'EAP', clearance: 'SECRET' })).token;
    t.leader = (await createUser(app, t.admin, { username: 'lead', roles: ['leadership'], office: 'S', clearance: 'SECRET' })).token;
    t.beijing = (await createUser(app, t.admin, { username: 'beijing.pol', roles: ['post_officer'], postCode: 'BEIJING', clearance: 'SECRET' })).token;
    campaignId = await releaseCable(app, t.drafter, t.approver, { ...draft, demarche: { reportBy: '2099-12-10', targets: 'MFA', points: [1] } });
    await app.get(ProjectionRunner).catchUp();
  });
  afterAll(async () => {
    await side.destroy();
    await app.close();
    await database.drop();
  });

  /** A transaction on the side that holds `lockSql`'s rows until `release()`. */
  async function holdLock(lockSql: string, params: unknown[]): Promise<{ runner: QueryRunner; release: () => Promise<void> }> {
    const runner = side.createQueryRunner();
    await runner.connect();
    await runner.startTransaction();
    await runner.query(lockSql, params);
    return { runner, release: async () => { await runner.commitTransaction(); await runner.release(); } };
  }

  /** Until a backend of this database waits for a lock (the command, its events inserted, queued behind ours). */
  async function someoneWaitsForALock(): Promise<void> {
    for (let i = 0; i < 200; i++) {
      const [row] = await side.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`);
      if (row.n > 0) return;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error("no command came to wait for the lock");
  }

  /** An instant by the database's clock (the one events are stamped by), a moment from now. */
  async function databaseNow(): Promise<string> {
    await new Promise((resolve) => setTimeout(resolve, 5));
    const [row] = await side.query('SELECT clock_timestamp() AS now');
    await new Promise((resolve) => setTimeout(resolve, 5));
    return (row.now as Date).toISOString();
  }

  /** The request sent now; `answered()` says whether its answer has come. */
  function sent<T>(request: PromiseLike<T>) {
    let done = false;
    const answer = Promise.resolve(request).then((r) => { done = true; return r; });
    return { answer, answered: () => done };
  }

  it('GET /dashboard?asOf= waits for a delivery begun by then to commit, and answers it', async () => {
    const lock = await holdLock('SELECT 1 FROM demarche_campaigns WHERE id = $1 FOR UPDATE', [campaignId]);
    const delivery = sent(as(t.beijing).post(`/demarches/${campaignId}/deliveries/BEIJING/delivery`, delivered));
    try {
      await Promise.race([someoneWaitsForALock(), delivery.answer.then((r) => { throw new Error(`the delivery did not wait: ${r.status} ${JSON.stringify(r.body)}`); })]);
      const at = await databaseNow();
      const past = sent(as(t.leader).get(`/dashboard?asOf=${encodeURIComponent(at)}`));
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect(past.answered()).toBe(false);
      await lock.release();
      const { status, body } = await past.answer;
      expect(status).toBe(200);
      expect(body.campaigns.find((c: { id: string }) => c.id === campaignId).summary).toMatchObject({ total: 2, delivered: 1 });
      expect((await delivery.answer).status).toBe(201);
      // Asked again, the same.
      const again = (await as(t.leader).get(`/dashboard?asOf=${encodeURIComponent(at)}`).expect(200)).body;
      expect(again.campaigns).toEqual(body.campaigns);
    } finally {
      if (lock.runner.isTransactionActive) await lock.release();
      await delivery.answer;
    }
  });

  it('GET /cables/:id?asOf= waits for an edit begun by then to commit, and shows it', async () => {
    const { body: cable } = await as(t.drafter).post('/cables', { ...draft, subject: 'Before' }).expect(201);
    const lock = await holdLock('SELECT 1 FROM cables WHERE id = $1 FOR UPDATE', [cable.id]);
    const edit = sent(as(t.drafter).patch(`/cables/${cable.id}`, { subject: 'After' }));
    try {
      await someoneWaitsForALock();
      const at = await databaseNow();
      const past = sent(as(t.drafter).get(`/cables/${cable.id}?asOf=${encodeURIComponent(at)}`));
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect(past.answered()).toBe(false);
      await lock.release();
      const { status, body } = await past.answer;
      expect(status).toBe(200);
      expect(body.subject).toBe('After');
      expect((await edit.answer).status).toBe(200);
      const again = (await as(t.drafter).get(`/cables/${cable.id}?asOf=${encodeURIComponent(at)}`).expect(200)).body;
      expect(again.subject).toBe('After');
      expect(again.version).toBe(body.version);
    } finally {
      if (lock.runner.isTransactionActive) await lock.release();
      await edit.answer;
    }
  });

  it('answers 503 with Retry-After, not an answer that could change, when a change begun by then does not end within its bound', async () => {
    const lock = await holdLock('SELECT 1 FROM demarche_campaigns WHERE id = $1 FOR UPDATE', [campaignId]);
    const response = sent(as(t.beijing).post(`/demarches/${campaignId}/deliveries/BEIJING/response`, { receivedOn: today, position: 'OPPOSED', summary: 'No.' }));
    try {
      await someoneWaitsForALock();
      const at = await databaseNow();
      const refused = await as(t.leader).get(`/dashboard?asOf=${encodeURIComponent(at)}`).expect(503);
      expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(refused.headers['retry-after']).toBe('1');
      expect(refused.body.detail).toMatch(/not finished/);
      // An instant before the change began is answered at once.
      const before = new Date(Date.parse(at) - 60_000).toISOString();
      await as(t.leader).get(`/dashboard?asOf=${encodeURIComponent(before)}`).expect(200);
    } finally {
      if (lock.runner.isTransactionActive) await lock.release();
      expect((await response.answer).status).toBe(201);
    }
  });

  it('does not wait for a transaction that has written no event (a rebuild writes rows only)', async () => {
    const lock = await holdLock('UPDATE demarche_campaigns SET subject = subject WHERE id = $1', [campaignId]);
    try {
      const at = await databaseNow();
      const started = Date.now();
      await as(t.leader).get(`/dashboard?asOf=${encodeURIComponent(at)}`).expect(200);
      expect(Date.now() - started).toBeLessThan(2_000);
    } finally {
      await lock.release();
    }
  });
});

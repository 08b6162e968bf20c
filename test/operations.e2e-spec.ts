import { createHash, createPublicKey, verify } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import canonicalize from 'canonicalize';
import { DataSource } from 'typeorm';
import { AuditSealer, fromHex, verifyConsistency, verifyInclusion } from '@chancery/audit';
import { ProjectionRunner } from '@chancery/event-store';
import { RedriveProjection } from '@chancery/platform';
import { systemContext } from '@chancery/common';
import { authed } from './support/http.js';
import { createTestApp, createUser, loginAsAdmin } from './support/test-app.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';

describe('audit and operations routes', () => {
  let database: TestDatabase;
  let app: INestApplication;
  let dataSource: DataSource;
  const t = {} as Record<'admin' | 'auditor' | 'drafter', string>;
  let drafterId: string;
  const seal = () => app.get(AuditSealer).catchUp();

  beforeAll(async () => {
    database = await createTestDatabase();
    ({ app } = await createTestApp(database));
    dataSource = app.get(DataSource);
    t.admin = await loginAsAdmin(app);
    t.auditor = (await createUser(app, t.admin, { username: 'auditor', roles: ['auditor'] })).token;
    const drafter = await createUser(app, t.admin, { username: 'jdoe', roles: ['drafter'], office: 'EAP/CM' });
    t.drafter = drafter.token;
    drafterId = drafter.id;
  });
  afterAll(async () => {
    await app.close();
    await database.drop();
  });

  it('pages and filters the audit log for auditors and admins only, by username or id, either way round', async () => {
    const pending = await authed(app, t.auditor).get('/audit?order=desc&limit=1').expect(200);
    expect(pending.body.items[0]).toMatchObject({ seq: null, leafHash: null }); // committed, not sealed yet
    await seal();
    const all = await authed(app, t.auditor).get('/audit?limit=2').expect(200);
    expect(all.body.items).toHaveLength(2);
    expect(all.body.items[0]).toMatchObject({ seq: 1, leafHash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    // The office directory and the first admin are written at start-up, at once: in either order.
    expect(all.body.items.map((e: { action: string }) => e.action).sort()).toEqual(['AddOffices', 'RegisterUser']);
    const newest = await authed(app, t.auditor).get('/audit?order=desc&limit=1').expect(200);
    expect(newest.body.items[0].seq).toBe(all.body.total);
    for (const actor of [drafterId, drafterId.toUpperCase(), 'jdoe', 'JDoe']) {
      const mine = await authed(app, t.admin).get(`/audit?actor=${actor}`).expect(200);
      expect(mine.body.items.map((e: { action: string }) => e.action)).toEqual(['Login']);
      // Each item says who its actor is, beside the entry (auditors may not list users).
      expect(mine.body.items[0]).toMatchObject({ actorId: drafterId, actorUsername: 'jdoe', actorDisplayName: expect.any(String) });
    }
    const stream = await authed(app, t.auditor).get(`/audit?streamId=user-${drafterId}`).expect(200);
    expect(stream.body.items.map((e: { action: string }) => e.action)).toEqual(['RegisterUser']);
    // The record's id in it is read in any case, as ids are everywhere.
    expect((await authed(app, t.auditor).get(`/audit?streamId=user-${drafterId.toUpperCase()}`).expect(200)).body.items).toEqual(stream.body.items);
    // A command's entry names each event it wrote, with the SHA-256 of the event's data.
    const [event] = await dataSource.query(`SELECT event_id, type, stream_version, data FROM events WHERE stream_id = $1`, [`user-${drafterId}`]);
    expect(stream.body.items[0].details.events).toEqual([
      { id: event.event_id, type: event.type, version: 1, sha256: createHash('sha256').update(canonicalize(event.data)!).digest('hex') },
    ]);
    // An empty filter is a mistake, not "nobody": said so, not answered with an empty page.
    for (const empty of ['actor=', 'streamId=', 'actor=%20%20']) {
      const refused = await authed(app, t.auditor).get(`/audit?${empty}`).expect(400);
      const field = empty.split('=')[0];
      expect(refused.body.errors).toEqual([{ field, message: expect.stringMatching(new RegExp(`^${field} must name`)) }]);
    }
    const future = await authed(app, t.auditor).get('/audit?from=2999-01-01T00:00:00Z').expect(200);
    expect(future.body).toEqual({ items: [], total: 0 });
    await authed(app, t.auditor).get('/audit?from=someday').expect(400);
    // A window that ends before it begins is said to be one.
    expect((await authed(app, t.auditor).get('/audit?from=2030-01-01T00:00:00Z&to=2020-01-01T00:00:00Z').expect(400)).body.errors).toEqual([{ field: 'from', message: 'later than to' }]);
    await authed(app, t.auditor).get('/audit?order=sideways').expect(400);
    await authed(app, t.drafter).get('/audit').expect(403);
    await authed(app, t.drafter).get('/audit/verify').expect(403);
    await authed(app, t.drafter).get('/audit/tree-head').expect(403);
  });

  it('serves a signed head, entries with their leaf hashes, and proofs that an outsider checks with their own code', async () => {
    await seal();
    const { body: head } = await authed(app, t.auditor).get('/audit/tree-head').expect(200);
    expect(head).toMatchObject({ treeSize: expect.any(Number), rootHash: expect.stringMatching(/^[0-9a-f]{64}$/), publicKey: expect.stringContaining('BEGIN PUBLIC KEY') });
    const signed = Buffer.from(canonicalize({ rootHash: head.rootHash, timestamp: head.timestamp, treeSize: head.treeSize })!);
    expect(verify(null, signed, createPublicKey(head.publicKey), Buffer.from(head.signature, 'base64'))).toBe(true);

    for (let seq = 1; seq <= head.treeSize; seq++) {
      const { body } = await authed(app, t.auditor).get(`/audit/entries/${seq}`).expect(200);
      const leaf = createHash('sha256').update(Buffer.from([0])).update(canonicalize(body.entry)!).digest('hex');
      expect(body.leafHash).toBe(leaf);
      const { body: proof } = await authed(app, t.auditor).get(`/audit/entries/${seq}/proof?treeSize=${head.treeSize}`).expect(200);
      expect(proof).toMatchObject({ leafIndex: seq - 1, treeSize: head.treeSize, leafHash: leaf });
      expect(verifyInclusion(seq - 1, head.treeSize, fromHex(leaf), proof.auditPath.map(fromHex), fromHex(head.rootHash))).toBe(true);
    }
    await authed(app, t.auditor).get(`/audit/entries/${head.treeSize + 1}`).expect(404);
    for (const seq of ['1e0', '1.0', '0x1', '0']) await authed(app, t.auditor).get(`/audit/entries/${seq}`).expect(400);
    await authed(app, t.auditor).get('/audit/entries/1/proof?treeSize=999999').expect(404);
    const malformed = await authed(app, t.auditor).get('/audit/entries/1.5').expect(400);
    expect(malformed.body).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ field: 'seq', message: 'must be a whole number from 1' }] });

    await loginAsAdmin(app); // a login: audited
    await seal();
    const { body: later } = await authed(app, t.auditor).get('/audit/tree-head').expect(200);
    expect(later.treeSize).toBeGreaterThan(head.treeSize);
    const { body: consistency } = await authed(app, t.auditor).get(`/audit/consistency?from=${head.treeSize}&to=${later.treeSize}`).expect(200);
    expect(consistency).toMatchObject({ from: head.treeSize, to: later.treeSize });
    expect(verifyConsistency(head.treeSize, later.treeSize, consistency.proof.map(fromHex), fromHex(head.rootHash), fromHex(later.rootHash))).toBe(true);
    await authed(app, t.auditor).get(`/audit/consistency?from=${later.treeSize}&to=${head.treeSize}`).expect(400);
    await authed(app, t.auditor).get('/audit/consistency?from=1').expect(400);
  });

  it('refuses a consistency proof from a tree of no entries, ending before it begins, past the tree or not in numbers, naming the parameter and its range', async () => {
    await seal();
    const { body: head } = await authed(app, t.auditor).get('/audit/tree-head').expect(200);
    const size = head.treeSize as number;
    expect(size).toBeGreaterThan(2);
    const refused = async (query: string, field: string, said: RegExp) => {
      const answer = await authed(app, t.auditor).get(`/audit/consistency?${query}`).expect(400).expect('Content-Type', /application\/problem\+json/);
      expect({ query, body: answer.body }).toMatchObject({ query, body: { code: 'VALIDATION_FAILED', errors: [{ field, message: expect.stringMatching(said) }] } });
    };
    // RFC 9162 §2.1.4: a consistency proof is from a tree of m > 0 entries (a head someone saved); the empty tree is none.
    await refused(`from=0&to=${size}`, 'from', /whole number from 1\b/);
    await refused(`from=${size + 1}&to=${size + 1}`, 'from', new RegExp(`from 1 to ${size}`));
    await refused(`from=${size}&to=${size - 1}`, 'to', new RegExp(`from ${size} to ${size}`));
    await refused(`from=1&to=${size + 1}`, 'to', new RegExp(`from 1 to ${size}`));
    for (const value of ['abc', '1.5', '-1', '1e3']) await refused(`from=${value}&to=${size}`, 'from', /whole number/);
    await refused('from=1&to=many', 'to', /whole number/);
    // A tree of one size to itself is consistent with no proof at all.
    expect((await authed(app, t.auditor).get(`/audit/consistency?from=${size}&to=${size}`).expect(200)).body).toEqual({ from: size, to: size, proof: [] });
  });

  it('verifies the whole tree, and names the first entry tampered with', async () => {
    await seal();
    const intact = await authed(app, t.auditor).get('/audit/verify').expect(200);
    expect(intact.body).toMatchObject({ valid: true, entries: expect.any(Number), head: expect.stringMatching(/^[0-9a-f]{64}$/) });
    await dataSource.query('ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only');
    await dataSource.query(`UPDATE audit_log SET action = 'Nothing to see' WHERE seq = 2`);
    await dataSource.query('ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only');
    const broken = await authed(app, t.admin).get('/audit/verify').expect(200);
    expect(broken.body).toMatchObject({ valid: false, entries: 1, firstBroken: { seq: 2, reason: expect.stringMatching(/altered/) } });
  });

  it('shows every projection with its mode, checkpoint, lag and dead letters, to admins', async () => {
    const { body } = await authed(app, t.admin).get('/admin/projections').expect(200);
    const names = body.items.map((p: { name: string }) => p.name);
    expect(names).toEqual(expect.arrayContaining(['users', 'posts', 'cables', 'demarches', 'follow-ups', 'campaign-opener']));
    expect(body.items.find((p: { name: string }) => p.name === 'campaign-opener')).toMatchObject({ mode: 'async', deadLetters: 0, lag: expect.any(Number) });
    // This test app runs no projections, so no overdue scan either; the soak test sees one running.
    expect(body.overdueScan).toEqual({ enabled: false, intervalMs: expect.any(Number), lastScanAt: null, lastMarked: 0, failing: [] });
    await authed(app, t.auditor).get('/admin/projections').expect(403);
  });

  it('shows a reaction stopped at an event it cannot handle, with the event and the error, until an admin redrives it', async () => {
    // A CableReleased with no cable behind it (its data cannot be folded): the campaign opener must not skip it.
    const [stored] = await dataSource.query(
      `INSERT INTO events (event_id, stream_id, stream_type, stream_version, type, schema_version, data)
       VALUES (gen_random_uuid(), 'cable-00000000-0000-4000-8000-000000000099', 'cable', 1, 'CableReleased', 1, '{}')
       RETURNING global_position::int AS "globalPosition", event_id AS "eventId"`,
    );
    const events = [stored];
    const opener = async () => (await authed(app, t.admin).get('/admin/projections').expect(200)).body.items.find((p: { name: string }) => p.name === 'campaign-opener');
    let status = await opener();
    for (let i = 0; i < 100 && status.state !== 'stopped'; i++) {
      await app.get(ProjectionRunner).catchUp('campaign-opener');
      await sleep(100);
      status = await opener();
    }
    expect(status).toMatchObject({
      kind: 'reaction',
      state: 'stopped',
      lag: expect.any(Number),
      failure: { globalPosition: events[0].globalPosition, eventId: events[0].eventId, eventType: 'CableReleased', error: expect.any(String), stoppedAt: expect.any(String) },
    });
    expect(status.lag).toBeGreaterThan(0);
    expect(status.checkpoint.globalPosition).toBeLessThan(events[0].globalPosition);

    await authed(app, t.auditor).post('/admin/projections/campaign-opener/redrive', {}).expect(403);
    await authed(app, t.admin).post('/admin/projections/no-such-thing/redrive', {}).expect(404);
    const redriven = await authed(app, t.admin).post('/admin/projections/campaign-opener/redrive', {}).expect(200);
    expect(redriven.body).toEqual({ name: 'campaign-opener', kind: 'reaction', resumed: true });
    const [audited] = await dataSource.query(`SELECT actor_role, details FROM audit_log WHERE action = 'RedriveProjection'`);
    expect(audited).toEqual({ actor_role: 'admin', details: { name: 'campaign-opener', kind: 'reaction', resumed: true } });
    // From the command line, no user is signed in: the entry names the shell's user and host.
    await app.get(RedriveProjection).execute(systemContext('cli:test'), 'campaign-opener', { operator: 'ops@bastion' });
    const [fromShell] = await dataSource.query(`SELECT actor_role, details FROM audit_log WHERE action = 'RedriveProjection' AND request_id = 'cli:test'`);
    expect(fromShell.details).toMatchObject({ name: 'campaign-opener', operator: 'ops@bastion' });
    // (The event still cannot be folded: the runner stops at it again, which is what it should do.)
    const readModel = await authed(app, t.admin).post('/admin/projections/cables/redrive', {}).expect(200);
    expect(readModel.body).toEqual({ name: 'cables', kind: 'read-model', applied: 0, stillParked: 0 });
  });
});

import type { INestApplication } from '@nestjs/common';
import type request from 'supertest';
import { DataSource } from 'typeorm';
import { CommandCommitter, WrongExpectedVersionError } from '@chancery/event-store';
import { awaitCampaign } from './support/campaigns.js';
import { authed, releaseCable } from './support/http.js';
import { createUser, startStory, type Story } from './support/test-app.js';
import { TestClock } from './support/test-clock.js';

/**
 * Commands held in flight at a chosen point of their transaction (a commit participant that waits),
 * so that what happens meanwhile happens deterministically: a change to the caller's standing, a
 * copy of the request under the same Idempotency-Key, a rival writer of the same stream.
 */
interface Gate {
  /** Resolves once a command of that name has reached the gate (its transaction open). */
  arrival: Promise<void>;
  release(): void;
}

let gates = 0;
/** Holds the first command named `command` at participant `order` (the standing check is 0, the idempotency record 50) until released; `then` runs at release, in its transaction. */
function gate(committer: CommandCommitter, command: string, order: number, then?: (streamId: string, fromVersion: number) => void): Gate {
  const name = `test-gate-${++gates}`;
  let arrived!: () => void;
  let release!: () => void;
  const arrival = new Promise<void>((resolve) => (arrived = resolve));
  const released = new Promise<void>((resolve) => (release = resolve));
  let held = false;
  committer.register({
    name,
    order,
    onCommit: async (_tx, commit) => {
      if (commit.command !== command || held) return;
      held = true;
      arrived();
      await released;
      then?.(commit.streamId, commit.fromVersion);
    },
  });
  return {
    arrival,
    release: () => {
      committer.unregister(name);
      release();
    },
  };
}

/** Sends the request now (supertest sends on `then`). */
const sent = (test: request.Test): Promise<request.Response> => new Promise((resolve, reject) => test.then(resolve, reject));

/** Waits until `count` backends of this database wait for a lock (requests queued behind the one held). */
async function someoneWaitsForALock(dataSource: DataSource, count = 1): Promise<void> {
  for (let tries = 0; tries < 200; tries++) {
    const [{ waiting }] = await dataSource.query(`SELECT count(*)::int AS waiting FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`);
    if (waiting >= count) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('no request waited for a lock');
}

const draft = {
  kind: 'INSTRUCTION', subject: 'Standing in flight', classification: 'UNCLASSIFIED', captions: [], precedence: 'ROUTINE', tags: ['PREL', 'CH'],
  actionAddressees: ['TOKYO'], paragraphs: [{ marking: 'U', text: 'Posts should raise these concerns with host officials.' }],
};

describe('commands in flight', () => {
  const clock = new TestClock(new Date('2026-11-30T09:00:00Z'));
  let story: Story<never>;
  let app: INestApplication;
  let dataSource: DataSource;
  let committer: CommandCommitter;
  let admin: string;
  let drafters = 0;
  const as = (token: string) => authed(app, token);
  const eventsOf = async (streamId: string): Promise<{ type: string; position: string; recorded_at: Date }[]> =>
    dataSource.query('SELECT type, global_position::text AS position, recorded_at FROM events WHERE stream_id = $1 ORDER BY stream_version', [streamId]);
  const auditOf = async (actions: string[]): Promise<{ action: string; actor_id: string; actor_role: string; details: { reason?: string } }[]> =>
    dataSource.query('SELECT action, actor_id, actor_role, details FROM audit_log WHERE action = ANY($1) ORDER BY position', [actions]);
  /** A drafter of their own and a cable they drafted. */
  async function drafterWithCable(): Promise<{ id: string; token: string; cableId: string }> {
    const user = await createUser(app, admin, { username: `drafter${++drafters}`, roles: ['drafter'], office: 'EAP/CM', clearance: 'SECRET' });
    const { body } = await as(user.token).post('/cables', draft).expect(201);
    return { ...user, cableId: body.id };
  }

  beforeAll(async () => {
    story = await startStory(clock, {});
    ({ app, dataSource } = story);
    committer = app.get(CommandCommitter);
    admin = story.tokens.admin;
  });
  afterAll(async () => {
    await story.end();
  });

  describe('under the standing of their caller', () => {
    it('refuses (401) a command whose caller was disabled while it was in flight, and writes nothing', async () => {
      const victim = await drafterWithCable();
      const held = gate(committer, 'EditCable', -1); // before the standing is checked
      const edit = sent(as(victim.token).patch(`/cables/${victim.cableId}`, { subject: 'Edited in flight' }));
      await held.arrival;
      await as(admin).post(`/users/${victim.id}/disable`, { reason: 'left' }).expect(200);
      held.release();
      const answer = await edit;
      expect({ status: answer.status, code: answer.body.code, detail: answer.body.detail }).toEqual({ status: 401, code: 'UNAUTHENTICATED', detail: 'This account is disabled' });
      expect((await eventsOf(`cable-${victim.cableId}`)).map((e) => e.type)).toEqual(['CableDrafted']);
      expect((await auditOf(['EditCable'])).filter((e) => e.actor_id === victim.id)).toEqual([]);
    });

    it('refuses (401) a command whose token was revoked while it was in flight', async () => {
      const victim = await drafterWithCable();
      const held = gate(committer, 'EditCable', -1);
      const edit = sent(as(victim.token).patch(`/cables/${victim.cableId}`, { subject: 'Edited in flight' }));
      await held.arrival;
      await as(admin).post(`/users/${victim.id}/password`, { password: 'A-new-password-for-the-victim-7' }).expect(200);
      held.release();
      expect((await edit).status).toBe(401);
      expect((await eventsOf(`cable-${victim.cableId}`)).map((e) => e.type)).toEqual(['CableDrafted']);
    });

    it('refuses (403, audited) a command whose caller lost a role, moved or was cleared lower while it was in flight', async () => {
      for (const change of [{ roles: ['clearer'], office: 'L' }, { clearance: 'CONFIDENTIAL' }, { office: 'EAP' }]) {
        const victim = await drafterWithCable();
        const held = gate(committer, 'EditCable', -1);
        const edit = sent(as(victim.token).patch(`/cables/${victim.cableId}`, { subject: 'Edited in flight' }));
        await held.arrival;
        await as(admin).patch(`/users/${victim.id}`, change).expect(200);
        held.release();
        const answer = await edit;
        expect({ change, status: answer.status, code: answer.body.code }).toEqual({ change, status: 403, code: 'FORBIDDEN' });
        expect((await eventsOf(`cable-${victim.cableId}`)).map((e) => e.type)).toEqual(['CableDrafted']);
        // Audited as the guard's refusals are, under the roles the request came with.
        expect((await auditOf(['AccessDenied', 'EditCable'])).filter((e) => e.actor_id === victim.id)).toEqual([
          { action: 'AccessDenied', actor_id: victim.id, actor_role: 'drafter', details: { attempted: 'EditCable', reason: `${`drafter${drafters}`}'s roles, office, post or clearance changed since the request came in` } },
        ]);
      }
    });

    it('lets a change to a user wait for their commands in flight, which commit and are recorded before it; none after it', async () => {
      const victim = await drafterWithCable();
      const held = gate(committer, 'EditCable', 1); // its standing checked, and held
      const edit = sent(as(victim.token).patch(`/cables/${victim.cableId}`, { subject: 'Edited in flight' }));
      await held.arrival;
      const disable = sent(as(admin).post(`/users/${victim.id}/disable`, { reason: 'left' }));
      await someoneWaitsForALock(dataSource);
      held.release();
      expect((await edit).status).toBe(200);
      expect((await disable).status).toBe(200);
      const [, edited] = await eventsOf(`cable-${victim.cableId}`);
      const disabled = (await eventsOf(`user-${victim.id}`)).find((e) => e.type === 'UserDisabled')!;
      expect(edited.type).toBe('CableEdited');
      expect(BigInt(edited.position) < BigInt(disabled.position)).toBe(true);
      expect(edited.recorded_at.getTime()).toBeLessThanOrEqual(disabled.recorded_at.getTime());
      const audit = (await auditOf(['EditCable', 'DisableUser'])).filter((e) => e.actor_id === victim.id || e.action === 'DisableUser').slice(-2);
      expect(audit.map((e) => e.action)).toEqual(['EditCable', 'DisableUser']);
      await as(victim.token).patch(`/cables/${victim.cableId}`, { subject: 'After' }).expect(401);
    });
    it('is not put off by the user\'s commands that keep coming: one sent while the change waits queues behind it, and is refused', async () => {
      const victim = await drafterWithCable();
      const { body: second } = await as(victim.token).post('/cables', draft).expect(201);
      const held = gate(committer, 'EditCable', 1); // the first edit's standing checked, and held
      const first = sent(as(victim.token).patch(`/cables/${victim.cableId}`, { subject: 'Edited in flight' }));
      await held.arrival;
      const disable = sent(as(admin).post(`/users/${victim.id}/disable`, { reason: 'left' }));
      await someoneWaitsForALock(dataSource);
      // A share of the row's lock would let this one through at once, and the disabling wait as long
      // as the user's commands overlapped; it waits for the disabling instead.
      const next = sent(as(victim.token).patch(`/cables/${second.id}`, { subject: 'Sent while the disabling waited' }));
      await someoneWaitsForALock(dataSource, 2);
      held.release();
      expect((await first).status).toBe(200);
      expect((await disable).status).toBe(200);
      const refused = await next;
      expect({ status: refused.status, detail: refused.body.detail }).toEqual({ status: 401, detail: 'This account is disabled' });
      expect((await eventsOf(`cable-${second.id}`)).map((e) => e.type)).toEqual(['CableDrafted']);
    });

    it('takes the same roles listed in another order as the same standing', async () => {
      const user = await createUser(app, admin, { username: `reordered${++drafters}`, roles: ['drafter', 'clearer'], office: 'EAP/CM', clearance: 'SECRET' });
      const { body: cable } = await as(user.token).post('/cables', draft).expect(201);
      const held = gate(committer, 'EditCable', -1);
      const edit = sent(as(user.token).patch(`/cables/${cable.id}`, { subject: 'Edited in flight' }));
      await held.arrival;
      await as(admin).patch(`/users/${user.id}`, { roles: ['clearer', 'drafter'] }).expect(200);
      held.release();
      expect((await edit).status).toBe(200);
    });
  });

  describe('retried after a conflict', () => {
    it('records a command at the time of the attempt that commits, not of the one that lost: numbered after is never earlier', async () => {
      const { drafter, approver, beijing } = story.tokens;
      const campaignId = await releaseCable(app, drafter, approver, {
        kind: 'INSTRUCTION', subject: 'Demarche on export controls', classification: 'UNCLASSIFIED', captions: [], precedence: 'IMMEDIATE', tags: ['PREL', 'CH'],
        actionAddressees: ['BEIJING'], paragraphs: [{ marking: 'U', text: 'Action request: see paragraph 2.' }, { marking: 'U', text: 'Raise export controls.' }],
        demarche: { reportBy: '2026-12-31', targets: 'MFA', points: [2] },
      });
      expect((await awaitCampaign(app, drafter, campaignId)).status).toBe(200);
      const deliveryUrl = `/demarches/${campaignId}/deliveries/BEIJING`;
      const counterpart = { name: 'Li Wei', title: 'Director-General', organization: 'Ministry of Foreign Affairs' };
      clock.set('2026-12-05T09:00:00Z');
      await as(beijing).post(`${deliveryUrl}/delivery`, { deliveredOn: '2026-12-05', counterpart, level: 'DIRECTOR_GENERAL', method: 'IN_PERSON' }).expect(201);
      // The first response reaches its commit at 09:00:01 and is held; the second, at 09:00:02, queues
      // behind it on the stream's next version. The first then loses (as to a writer who got there
      // first), the second commits, and the first is tried again.
      clock.set('2026-12-05T09:00:01Z');
      const held = gate(committer, 'LogResponse', 1, (streamId, fromVersion) => {
        throw new WrongExpectedVersionError(streamId, fromVersion);
      });
      const first = sent(as(beijing).post(`${deliveryUrl}/response`, { receivedOn: '2026-12-05', position: 'SUPPORTIVE', summary: 'First' }));
      await held.arrival;
      clock.set('2026-12-05T09:00:02Z');
      const second = sent(as(beijing).post(`${deliveryUrl}/response`, { receivedOn: '2026-12-05', position: 'OPPOSED', summary: 'Second' }));
      await someoneWaitsForALock(dataSource);
      held.release();
      expect((await second).status).toBe(201);
      expect((await first).status).toBe(201);
      const { body } = await as(beijing).get(deliveryUrl).expect(200);
      const responses = [...body.responses].sort((a: { number: number }, b: { number: number }) => a.number - b.number);
      expect(responses.map((r: { summary: string; at: string }) => [r.summary, r.at])).toEqual([
        ['Second', '2026-12-05T09:00:02.000Z'],
        ['First', '2026-12-05T09:00:02.000Z'],
      ]);
    });
  });

  describe('under one Idempotency-Key', () => {
    it('refuses (422) a request whose key another request under another precondition took while it ran', async () => {
      const { drafter } = story.tokens;
      const { body: cable } = await as(drafter).post('/cables', draft).expect(201);
      const key = 'one-key-two-preconditions';
      const held = gate(committer, 'EditCable', 60); // its idempotency record (50) written, not committed
      const edit = (versions: string) => sent(as(drafter).patch(`/cables/${cable.id}`, { subject: 'Same body' }).set({ 'Idempotency-Key': key, 'If-Match': versions }));
      const first = edit('"1"');
      await held.arrival;
      // The same key, the same body, another precondition: it finds no answer yet, and queues behind
      // the first on the cable's next version, which the first then takes.
      const other = edit('"1", "2"');
      await someoneWaitsForALock(dataSource);
      held.release();
      expect((await first).status).toBe(200);
      const refused = await other;
      expect({ status: refused.status, code: refused.body.code }).toEqual({ status: 422, code: 'IDEMPOTENCY_KEY_REUSED' });
      // As it is once the first has answered.
      const after = await edit('"1", "2"');
      expect({ status: after.status, code: after.body.code }).toEqual({ status: 422, code: 'IDEMPOTENCY_KEY_REUSED' });
    });
  });
});

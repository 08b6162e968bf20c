import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import type { RecordedEvent } from '@chancery/event-store';
import {
  CLASSIFICATIONS, CLEARANCES, type FollowUpAccess, isNarrowed, mayReadCable, mayReadFollowUp, type Principal, readableCableSql, readableFollowUpSql, ROLES,
} from '@chancery/identity/domain';
import { createTestDatabase, type TestDatabase } from '../../../test/support/test-database.js';
import { confidentialDraft } from '../../../test/fixtures/cable.fixtures.js';
import { Cable, cableDefinition, type CableEvent, type Officer } from './domain/cable.aggregate.js';
import type { CableDraft } from './domain/cable-format.js';
import { CablesProjection } from './projections/cables.projection.js';

/** A small deterministic generator, so that a failure names a population that can be replayed. */
function random(seed: number) {
  let state = seed;
  const next = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  return { next, pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)], chance: (p: number) => next() < p };
}

const SEED = Number(process.env.ACCESS_SEED ?? 14);
const OFFICES = ['EAP/CM', 'EUR/WE', 'L', 'ISN', 'S'] as const;
const POSTS = ['BEIJING', 'TOKYO', 'BERLIN'] as const;
const CAPTION_SETS: CableDraft['captions'][] = [[], ['NODIS'], ['EXDIS'], ['LIMDIS'], ['SIPDIS'], ['NOFORN']];

/**
 * The need-to-know rule is written twice: `mayReadCable` (TypeScript, for single reads) and
 * `readableCableSql` (for lists, counts, joins). This checks, over a generated population of
 * cables in every state and of people of every role, clearance, office and post, that both give
 * each person exactly the same cables; and the same for follow-ups linked to them.
 */
describe('the need-to-know rule in SQL agrees with the policy', () => {
  let database: TestDatabase;
  let dataSource: DataSource;
  const rng = random(SEED);
  const people: Principal[] = [];
  const cables: Cable[] = [];
  const followUps: { id: string; access: FollowUpAccess }[] = [];

  /**
   * As the policy sees a cable: with the drafters and offices of the taskings it cites by REF
   * (`CablesQuery.taskingDesks`: released Department instructions that went to its post).
   */
  const tasks = (t: Cable, post: string) =>
    t.origin === 'STATE' && t.draft.kind === 'INSTRUCTION' && t.release !== null && [...t.release.distribution.action, ...t.release.distribution.info].includes(post);
  const accessOf = (cable: Cable) =>
    cable.accessWith(
      cable.origin === 'STATE'
        ? []
        : cables.filter((t) => tasks(t, cable.origin) && cable.draft.references.some((r) => r.mrn === t.release!.mrn)).map((t) => ({ drafterId: t.drafter.id, draftingOffice: t.drafter.office, narrowed: isNarrowed(t.draft.captions) })),
    );

  beforeAll(async () => {
    database = await createTestDatabase(2);
    dataSource = await database.dataSource();
    let n = 0;
    for (const roles of [...ROLES.map((role) => [role]), ['drafter', 'clearer'], ['approver', 'leadership']]) {
      for (const clearance of CLEARANCES) {
        const atPost = roles.includes('post_officer') || (roles.includes('approver') && rng.chance(0.3));
        people.push({ id: randomUUID(), username: `u${n++}`, roles: roles as Principal['roles'], clearance, office: atPost ? null : rng.pick(OFFICES), postCode: atPost ? rng.pick(POSTS) : null });
      }
    }
    const officer = (p: Principal): Officer => ({ id: p.id, username: p.username, office: p.office });
    const projection = new CablesProjection();
    await dataSource.transaction(async (tx) => {
      for (let i = 0; i < 150; i++) {
        const id = randomUUID();
        const drafter = rng.pick(people.filter((p) => p.roles.includes('drafter') || p.roles.includes('post_officer')));
        const origin = drafter.postCode ?? 'STATE';
        const at = new Date().toISOString();
        // A post's cable may reply to an earlier Department tasking (by REF): its desk reads the reply.
        // It may also cite what is no tasking of its post (an informational cable, another post's
        // cable, an instruction to other posts): that widens nothing.
        const released = cables.filter((c) => c.release);
        const references = origin !== 'STATE' && released.length > 0 && rng.chance(0.7) ? [{ label: 'A', mrn: rng.pick(released).release!.mrn }] : [];
        const kind: CableDraft['kind'] = origin === 'STATE' ? rng.pick(['INSTRUCTION', 'INSTRUCTION', 'INFORMATIONAL'] as const) : 'REPORTING';
        const draft = { ...confidentialDraft, kind, references, classification: rng.pick(CLASSIFICATIONS), captions: rng.pick(CAPTION_SETS) };
        const events: CableEvent[] = [{ type: 'CableDrafted', data: { origin, drafter: officer(drafter), draft, at } }];
        const offices = OFFICES.filter(() => rng.chance(0.3));
        if (offices.length > 0) {
          events.push({ type: 'ClearancesRequested', data: { offices: [...offices], at } });
          // Nobody clears or approves their own cable (the aggregate refuses it).
          const clearer = rng.pick(people.filter((p) => p.roles.includes('clearer') && p.id !== drafter.id));
          if (rng.chance(0.5)) events.push({ type: 'ClearanceGranted', data: { office: offices[0], by: officer(clearer), at } });
          // A request withdrawn: that office no longer reads it as a clearing office.
          const last = offices[offices.length - 1];
          if (offices.length > 1 && rng.chance(0.4)) events.push({ type: 'ClearanceRequestWithdrawn', data: { office: last, status: 'PENDING', comments: null, by: officer(drafter), at } });
        }
        if (rng.chance(0.3)) events.push({ type: 'CableEdited', data: { draft: { ...draft, classification: rng.pick(CLASSIFICATIONS), captions: rng.pick(CAPTION_SETS) }, substantive: true, by: officer(drafter), office: drafter.office, as: 'drafter', fields: ['classification'], at } });
        const fate = rng.next();
        if (fate > 0.3) {
          const approver = rng.pick(people.filter((p) => p.roles.includes('approver') && p.id !== drafter.id));
          events.push({ type: 'CableSubmitted', data: { by: officer(drafter), at } });
          if (fate > 0.4) events.push({ type: 'CableApproved', data: { by: officer(approver), at } });
          if (fate > 0.55) {
            const action = origin === 'STATE' ? POSTS.filter(() => rng.chance(0.5)) : ['SECSTATE'];
            const info = origin === 'STATE' ? [] : POSTS.filter((p) => p !== origin && rng.chance(0.3));
            events.push({ type: 'CableReleased', data: { by: officer(approver), mrn: `26 ${origin} ${String(i).padStart(6, '0')}`, releasedAt: at, dateTimeGroup: '291000Z NOV 26', distribution: { action: [...action], info } } });
          }
        } else if (fate > 0.15) {
          events.push({ type: 'CableCancelled', data: { by: officer(drafter), reason: 'x', at } });
        }
        const cable = cableDefinition.blank(id);
        cable.replay(events, events.length);
        cables.push(cable);
        await projection.apply(
          tx,
          events.map((event, index): RecordedEvent => ({
            globalPosition: 0, transactionId: '0', eventId: randomUUID(), streamId: `cable-${id}`, streamType: 'cable', streamVersion: index + 1,
            type: event.type, schemaVersion: 1, data: event.data, metadata: {} as RecordedEvent['metadata'], recordedAt: new Date(),
          })),
        );
      }
      for (let i = 0; i < 100; i++) {
        const id = randomUUID();
        const classification = rng.pick(CLASSIFICATIONS);
        const cable = rng.chance(0.5) ? rng.pick(cables) : null;
        const campaign = rng.chance(0.4) ? rng.pick(cables) : null;
        // Written under a draft: read as the linked cables are while unreleased, released since or not.
        const writtenUnderDraft = (cable !== null || campaign !== null) && rng.chance(0.4);
        // Owned by an office or a post; created by anyone (a classified one linked to nothing is theirs and leadership's).
        const owner = rng.chance(0.5) ? { office: rng.pick(OFFICES) } : { post: rng.pick(POSTS) };
        const createdBy = rng.pick(people).id;
        followUps.push({ id, access: { classification, cable: cable ? accessOf(cable) : null, campaign: campaign ? accessOf(campaign) : null, writtenUnderDraft, owner, createdBy } });
        await tx.query(
          `INSERT INTO follow_ups (id, title, description, owner_office, owner_post, owner_bureau, due_on, status, demarche_id, cable_id, created_by, version, created_at, updated_at, classification, written_under_draft)
           VALUES ($1, 't', '', $6, $7, 'L', '2099-01-01', 'OPEN', $2, $3, $8, 1, now(), now(), $4, $5)`,
          [id, campaign?.id ?? null, cable?.id ?? null, classification, writtenUnderDraft, owner.office ?? null, owner.post ?? null, createdBy],
        );
      }
    });
    // People moved since they drafted: a drafter each to another post, into the Department, to
    // another Department office (`isDrafter`: only the last is still the drafter of what they left).
    const drafters = [...new Set(cables.map((c) => c.drafter.id))].map((id) => people.find((p) => p.id === id)!);
    for (const moved of drafters.slice(0, 12)) {
      const elsewhere = POSTS.find((post) => post !== moved.postCode)!;
      people.push({ ...moved, username: `${moved.username}-to-${elsewhere}`, roles: ['post_officer'], office: null, postCode: elsewhere });
      people.push({ ...moved, username: `${moved.username}-to-dept`, roles: ['drafter'], office: rng.pick(OFFICES), postCode: null });
    }
    // Desks that tasked a post, and people who cleared or approved, moved to a post since, their
    // office still on their record: that post's people now (no tasking desk, no working party).
    const taskers = cables.filter((c) => c.origin === 'STATE' && c.release).map((c) => c.drafter.id);
    const actors = cables.flatMap((c) => accessOf(c).actedBy);
    for (const id of [...new Set([...taskers, ...actors])].slice(0, 16)) {
      const before = people.find((p) => p.id === id);
      if (!before) continue;
      const elsewhere = POSTS.find((post) => post !== before.postCode)!;
      people.push({ ...before, username: `${before.username}-bound-${elsewhere}`, postCode: elsewhere });
    }
  });
  afterAll(() => database.drop());

  it('gives every person the same cables in SQL as the policy does', async () => {
    expect(new Set(cables.map((c) => c.status)).size).toBe(6);
    expect(cables.some((c) => c.origin !== 'STATE' && c.release && c.draft.references.length > 0)).toBe(true);
    // Some replies cite a tasking of their post (the desk reads them), some cite one that is not.
    expect(cables.some((c) => c.origin !== 'STATE' && c.release && accessOf(c).taskingDesks.length > 0)).toBe(true);
    expect(cables.some((c) => c.origin !== 'STATE' && c.draft.references.length > 0 && accessOf(c).taskingDesks.length === 0)).toBe(true);
    let readings = 0;
    for (const person of people) {
      const access = readableCableSql(person, 1);
      const inSql = (await dataSource.query(`SELECT id FROM cables k WHERE ${access.where} ORDER BY id`, access.params)).map((r: { id: string }) => r.id);
      const byPolicy = cables.filter((c) => mayReadCable(person, accessOf(c)).allowed).map((c) => c.id).sort();
      readings += byPolicy.length;
      expect({ person: person.username, roles: person.roles, ids: inSql }).toEqual({ person: person.username, roles: person.roles, ids: byPolicy });
    }
    // Not vacuous: some read much, some nothing.
    expect(readings).toBeGreaterThan(cables.length);
    expect(readings).toBeLessThan(cables.length * people.length);
  });

  it('gives every person the same follow-ups in SQL as the policy does', async () => {
    // Not vacuous: some written under a draft since released are read by someone who reads the cable.
    const hidden = followUps.filter((f) => f.access.writtenUnderDraft && people.some((p) => mayReadFollowUp(p, { ...f.access, writtenUnderDraft: false }).allowed && !mayReadFollowUp(p, f.access).allowed));
    expect(hidden.length).toBeGreaterThan(0);
    // Not vacuous either: some classified ones linked to nothing are read by their owner or creator and not by others cleared for them.
    const unlinked = followUps.filter((f) => !f.access.cable && !f.access.campaign && f.access.classification !== 'UNCLASSIFIED' && f.access.classification !== 'SBU');
    const narrowed = unlinked.filter((f) => people.some((p) => p.clearance === 'TOP_SECRET' && !mayReadFollowUp(p, f.access).allowed) && people.some((p) => !p.roles.includes('leadership') && mayReadFollowUp(p, f.access).allowed));
    expect(narrowed.length).toBeGreaterThan(0);
    for (const person of people) {
      const access = readableFollowUpSql(person, 1);
      const inSql = (await dataSource.query(`SELECT id FROM follow_ups f WHERE ${access.where} ORDER BY id`, access.params)).map((r: { id: string }) => r.id);
      const byPolicy = followUps.filter((f) => mayReadFollowUp(person, f.access).allowed).map((f) => f.id).sort();
      expect({ person: person.username, ids: inSql }).toEqual({ person: person.username, ids: byPolicy });
    }
  });
});

import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { createUser, loginAsAdmin } from './test-app.js';

/** Requests to the app as the holder of a token. */
export function authed(app: INestApplication, token: string) {
  const agent = request(app.getHttpServer());
  const auth = { Authorization: `Bearer ${token}` };
  return {
    get: (url: string) => agent.get(url).set(auth),
    head: (url: string) => agent.head(url).set(auth),
    post: (url: string, body: object = {}) => agent.post(url).set(auth).send(body),
    patch: (url: string, body: object) => agent.patch(url).set(auth).send(body),
    delete: (url: string) => agent.delete(url).set(auth),
  };
}

const BUREAUS = ['AF', 'EAP', 'EUR', 'NEA', 'SCA', 'WHA', 'IO'];

/**
 * The offices the collective tasking rule asks of a Department instruction (domain.md "Collective
 * taskings"): a regional collective's bureau; for ALDAC and ALLDP, every bureau and S/ES-O. (ALDAC
 * needs every bureau that has an open post: all of them once the posts are seeded.)
 */
export function collectiveClearances(draft: { kind?: string; actionAddressees?: string[] }): string[] {
  if (draft.kind !== 'INSTRUCTION') return [];
  const action = draft.actionAddressees ?? [];
  const offices = new Set<string>();
  for (const code of action) {
    if (code === 'ALDAC' || code === 'ALLDP') [...BUREAUS, 'S/ES-O'].forEach((o) => offices.add(o));
    const regional = /^([A-Z]+)_POSTS$/.exec(code);
    if (regional) offices.add(regional[1]);
  }
  return [...offices];
}

/** One clearer per office, per app, made on first use. */
const clearers = new WeakMap<INestApplication, Map<string, string>>();

/**
 * Gets the clearances the collective tasking rule needs, as a clearer of each office would: the
 * drafter asks, each office clears. Does nothing for a cable that tasks no collective.
 */
export async function clearForCollective(app: INestApplication, drafter: string, cableId: string, draft: object): Promise<void> {
  const offices = collectiveClearances(draft as { kind?: string; actionAddressees?: string[] });
  if (offices.length === 0) return;
  await authed(app, drafter).post(`/cables/${cableId}/clearance-requests`, { offices }).expect(200);
  const known = clearers.get(app) ?? new Map<string, string>();
  clearers.set(app, known);
  let admin: string | undefined;
  for (const office of offices) {
    if (!known.has(office)) {
      admin ??= await loginAsAdmin(app);
      const username = `clr.${office.toLowerCase().replace(/[^a-z]/g, '')}.${known.size}`;
      known.set(office, (await createUser(app, admin, { username, roles: ['clearer'], office, clearance: 'TOP_SECRET' })).token);
    }
    await authed(app, known.get(office)!).post(`/cables/${cableId}/clearances`, { office, decision: 'CLEARED' }).expect(200);
  }
}

/**
 * Drafts a cable as `drafter`, submits it, and has `approver` approve and release it: the path an
 * instruction takes to open a campaign. Answers the cable's id.
 */
export async function releaseCable(app: INestApplication, drafter: string, approver: string, draft: object): Promise<string> {
  const { body } = await authed(app, drafter).post('/cables', draft).expect(201);
  await clearForCollective(app, drafter, body.id, draft);
  await authed(app, drafter).post(`/cables/${body.id}/submit`).expect(200);
  await authed(app, approver).post(`/cables/${body.id}/approve`).expect(200);
  await authed(app, approver).post(`/cables/${body.id}/release`).expect(200);
  return body.id as string;
}

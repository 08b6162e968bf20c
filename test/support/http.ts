import type { INestApplication } from '@nestjs/common';
import request from 'supertest';

/** Requests to the app as the holder of a token. */
export function authed(app: INestApplication, token: string) {
  const agent = request(app.getHttpServer());
  const auth = { Authorization: `Bearer ${token}` };
  return {
    get: (url: string) => agent.get(url).set(auth),
    post: (url: string, body: object = {}) => agent.post(url).set(auth).send(body),
    patch: (url: string, body: object) => agent.patch(url).set(auth).send(body),
  };
}

/**
 * Drafts a cable as `drafter`, submits it, and has `approver` approve and release it: the path an
 * instruction takes to open a campaign. Answers the cable's id.
 */
export async function releaseCable(app: INestApplication, drafter: string, approver: string, draft: object): Promise<string> {
  const { body } = await authed(app, drafter).post('/cables', draft).expect(201);
  await authed(app, drafter).post(`/cables/${body.id}/submit`).expect(200);
  await authed(app, approver).post(`/cables/${body.id}/approve`).expect(200);
  await authed(app, approver).post(`/cables/${body.id}/release`).expect(200);
  return body.id as string;
}

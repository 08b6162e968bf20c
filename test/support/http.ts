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

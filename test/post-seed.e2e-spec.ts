import type { INestApplication } from '@nestjs/common';
import { PostSeeder, US_POSTS } from '@chancery/posts';
import { authed } from './support/http.js';
import { createTestApp, loginAsAdmin } from './support/test-app.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';

describe('the post seeder on a database seeded before the network changed', () => {
  let database: TestDatabase;
  let app: INestApplication;

  beforeAll(async () => {
    database = await createTestDatabase();
    ({ app } = await createTestApp(database, { env: { SEED_POSTS: 'false' } }));
  });
  afterAll(async () => {
    await app.close();
    await database.drop();
  });

  it('closes HOLYSEE as renamed VATICAN, establishes what is missing, and keeps the kinds posts were given', async () => {
    const admin = authed(app, await loginAsAdmin(app));
    await admin.post('/posts', { code: 'HOLYSEE', name: 'Embassy Holy See', kind: 'EMBASSY', city: 'Holy See', country: 'VA', countryTag: 'VT', bureau: 'EUR' }).expect(201);
    await admin.post('/posts', { code: 'HAMBURG', name: 'Consulate Hamburg', kind: 'CONSULATE', city: 'Hamburg', country: 'DE', countryTag: 'GM', bureau: 'EUR' }).expect(201);

    expect(await app.get(PostSeeder).seed()).toBe(US_POSTS.length - 1);
    const holySee = (await admin.get('/posts/HOLYSEE').expect(200)).body;
    expect(holySee.status).toBe('CLOSED');
    expect((await admin.get('/posts/VATICAN').expect(200)).body).toMatchObject({ status: 'OPEN', kind: 'EMBASSY', countryTag: 'VT', addressDesignator: 'AMEMBASSY VATICAN' });
    expect((await admin.get('/posts/HAMBURG').expect(200)).body.kind).toBe('CONSULATE'); // no command changes a kind
    expect((await admin.get('/posts/USUNNEWYORK').expect(200)).body.addressDesignator).toBe('USMISSION USUN NEW YORK');

    expect(await app.get(PostSeeder).seed()).toBe(0); // a second run changes nothing
    expect((await admin.get('/posts/HOLYSEE').expect(200)).body.version).toBe(holySee.version);
  });
});

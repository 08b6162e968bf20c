import type { INestApplication } from '@nestjs/common';
import { PostSeeder, US_POSTS } from '@chancery/posts';
import { capturingLogs } from './support/captured-logs.js';
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

  it('gives the seed statuses to posts still as established, keeps an admin\'s decision, and says which post a namesake kept out', async () => {
    // Kabul as a start that stopped between establishing and suspending it left it; Khartoum
    // reopened by an admin; another post under Tokyo's designator.
    const database2 = await createTestDatabase();
    const { app: fresh } = await createTestApp(database2, { env: { SEED_POSTS: 'false' } });
    try {
      const other = authed(fresh, await loginAsAdmin(fresh));
      await other.post('/posts', { code: 'KABUL', name: 'Embassy Kabul', kind: 'EMBASSY', city: 'Kabul', country: 'AF', countryTag: 'AF', bureau: 'SCA' }).expect(201);
      await other.post('/posts', { code: 'KHARTOUM', name: 'Embassy Khartoum', kind: 'EMBASSY', city: 'Khartoum', country: 'SD', countryTag: 'SU', bureau: 'AF' }).expect(201);
      await other.post('/posts/KHARTOUM/suspend', { reason: 'Fighting' }).expect(200);
      await other.post('/posts/KHARTOUM/reopen').expect(200);
      await other.post('/posts', { code: 'TOKYOX', name: 'Embassy Tokyo', kind: 'EMBASSY', city: 'Tokyo', country: 'JP', countryTag: 'JA', bureau: 'EAP' }).expect(201);

      const { result, logs } = await capturingLogs(() => fresh.get(PostSeeder).seed());
      expect(result).toBe(US_POSTS.length - 3);
      expect(logs.filter((l) => l.level === 'error').map((l) => l.message)).toEqual(['TOKYO is not established: TOKYOX is addressed as AMEMBASSY TOKYO already']);
      expect((await other.get('/posts/KABUL').expect(200)).body.status).toBe('SUSPENDED');
      expect((await other.get('/posts/KHARTOUM').expect(200)).body.status).toBe('OPEN');
      await other.get('/posts/TOKYO').expect(404);
    } finally {
      await fresh.close();
      await database2.drop();
    }
  });
});

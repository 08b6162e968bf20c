import type { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { AppModule } from '../../apps/api/src/app.module.js';
import { APP_OPTIONS, configureApp } from '../../apps/api/src/configure-app.js';
import { Clock } from '@chancery/common';
import { type AppConfig, loadConfig } from '@chancery/config';
import { Readiness } from '@chancery/platform';
import { testAuditEnv } from './audit-key.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';

export const TEST_ADMIN_PASSWORD = 'admin-password-for-tests';
export const TEST_JWT_SECRET = 'a-test-only-signing-key-that-is-long-enough';

export interface TestAppOptions {
  env?: Record<string, string>;
  imports?: unknown[];
  runProjections?: boolean;
  /** Replaces the system clock, to move time. */
  clock?: Clock;
}

/**
 * The real app, configured by the same configureApp as main.ts; embedded when no database is given.
 * Posts are not seeded unless `SEED_POSTS: 'true'` is passed (it takes a few seconds).
 */
export async function createTestApp(database: TestDatabase | undefined, options: TestAppOptions = {}): Promise<{ app: INestApplication; config: AppConfig }> {
  const config = loadConfig({
    LOG_LEVEL: 'silent',
    JWT_SECRET: TEST_JWT_SECRET,
    ADMIN_PASSWORD: TEST_ADMIN_PASSWORD,
    SEED_POSTS: 'false',
    OVERDUE_SCAN_MS: '0',
    EMBEDDED_MAINTENANCE_MS: '0',
    // The tests date things by UTC days, whatever the hour they run at; the Department's calendar
    // (Washington's by default) has tests of its own (department-calendar.e2e-spec.ts).
    DEPARTMENT_TIME_ZONE: 'UTC',
    ...(database ? testAuditEnv() : {}),
    ...options.env,
    ...(database ? { DATABASE_URL: database.target.url } : {}),
  });
  const builder = Test.createTestingModule({
    imports: [AppModule.forRoot({ config, runProjections: options.runProjections ?? false }), ...((options.imports ?? []) as never[])],
  });
  if (options.clock) builder.overrideProvider(Clock).useValue(options.clock);
  const moduleRef = await builder.compile();
  const app = moduleRef.createNestApplication(APP_OPTIONS);
  configureApp(app, config);
  try {
    await app.init();
  } catch (error) {
    // What did start (the background loops) is stopped, or the test process would never exit.
    await app.close().catch(() => undefined);
    throw error;
  }
  app.get(Readiness).markReady();
  return { app, config };
}

/** Logs in and answers the bearer token. */
export async function login(app: INestApplication, username: string, password: string): Promise<string> {
  const response = await request(app.getHttpServer()).post('/auth/login').send({ username, password }).expect(200);
  return response.body.accessToken as string;
}

export const loginAsAdmin = (app: INestApplication) => login(app, 'admin', TEST_ADMIN_PASSWORD);

export interface TestUser {
  username: string;
  /** The name the screens show (the username when not given). */
  displayName?: string;
  roles: string[];
  clearance?: string;
  office?: string;
  postCode?: string;
}

/** The people most stories start with: EAP/CM's desk officer, EAP's approver, and Beijing's political officer. */
export const STORY_USERS = {
  drafter: { username: 'jdoe', roles: ['drafter'], office: 'EAP/CM', clearance: 'SECRET' },
  approver: { username: 'dsec', roles: ['approver'], office: 'EAP', clearance: 'SECRET' },
  beijing: { username: 'bjpol', roles: ['post_officer'], postCode: 'BEIJING', clearance: 'SECRET' },
} satisfies Record<string, TestUser>;

/** Creates several users through the API (as admin), one after another; answers their tokens by the same keys. */
export async function createUsers<K extends string>(app: INestApplication, adminToken: string, users: Record<K, TestUser>): Promise<Record<K, string>> {
  const tokens = {} as Record<K, string>;
  for (const [key, user] of Object.entries(users) as [K, TestUser][]) tokens[key] = (await createUser(app, adminToken, user)).token;
  return tokens;
}

/** A story's world: its database, the app, and the tokens of admin, STORY_USERS and its own people. */
export interface Story<K extends string> {
  database: TestDatabase;
  app: INestApplication;
  dataSource: DataSource;
  tokens: Record<K | keyof typeof STORY_USERS | 'admin', string>;
  /** Closes the app and drops the database. */
  end(): Promise<void>;
}

/**
 * What the stories told through HTTP start with: a database of their own (`poolSize` connections),
 * the app with the U.S. posts seeded and time on `clock`, and admin, STORY_USERS and `people`
 * signed in.
 */
export async function startStory<K extends string>(clock: Clock, people: Record<K, TestUser>, poolSize?: number, env: Record<string, string> = {}): Promise<Story<K>> {
  const database = await createTestDatabase(poolSize);
  const { app } = await createTestApp(database, { env: { SEED_POSTS: 'true', ...env }, clock });
  const admin = await loginAsAdmin(app);
  const tokens = { admin, ...(await createUsers(app, admin, { ...STORY_USERS, ...people })) };
  const end = async () => {
    await app.close();
    await database.drop();
  };
  return { database, app, dataSource: app.get(DataSource), tokens, end };
}

/** Creates a user through the API (as admin) and answers their token. */
export async function createUser(app: INestApplication, adminToken: string, user: TestUser): Promise<{ id: string; token: string }> {
  const password = `${user.username}-password-123`;
  const created = await request(app.getHttpServer())
    .post('/users')
    .set('Authorization', `Bearer ${adminToken}`)
    .send({ displayName: user.username, clearance: 'UNCLASSIFIED', ...user, password })
    .expect(201);
  return { id: created.body.id, token: await login(app, user.username, password) };
}

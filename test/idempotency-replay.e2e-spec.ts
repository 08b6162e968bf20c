import { createHash, randomUUID } from 'node:crypto';
import canonicalize from 'canonicalize';
import { isDeepStrictEqual } from 'node:util';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { ProjectionRunner } from '@chancery/event-store';
import { awaitCampaign } from './support/campaigns.js';
import { authed, releaseCable } from './support/http.js';
import { createUser, login, startStory, type Story } from './support/test-app.js';
import { TestClock } from './support/test-clock.js';

/**
 * `Idempotency-Key` on every mutating route of the public API, as its OpenAPI document lists them
 * (README "HTTP conventions"): a request that succeeded, sent again with its key, answers the first
 * answer again (same status, same body, `Idempotent-Replayed: true`) and writes no event; the same
 * key with another request is refused with 422 `IDEMPOTENCY_KEY_REUSED`.
 *
 * The replay answers what the command's transaction stored, so a controller that reshapes the
 * command's result answers something else the second time: each case below sends one request that
 * succeeds on a record built for it alone, then sends it again. The last test checks that every
 * POST, PATCH and DELETE of the document has a case or is excluded with a reason, so a route added
 * later without a case fails here.
 */

type Method = 'POST' | 'PATCH' | 'DELETE' | 'PUT';
/** `METHOD /path/{param}`, as the OpenAPI document names an operation. */
type Route = `${Method} /${string}`;

interface Upload {
  kind: string;
  file: Buffer;
  filename: string;
}

interface Sent {
  /** The bearer token it is sent with. */
  token: string;
  /** The concrete path; it must match the route's template. */
  path: string;
  /** The JSON body; absent for a route that takes none (nothing is sent then). */
  body?: object;
  /** A multipart upload instead of a JSON body. */
  upload?: Upload;
}

interface Arranged extends Sent {
  /** The same request with something else in it, for the same key (422); absent when the route takes no body. */
  changed?: Pick<Sent, 'body' | 'upload'>;
  /**
   * A token of the same user for the replay, when the first request ended the token it was sent with
   * (logging out, changing one's own password). Keys belong to the user, not to the token.
   */
  replayToken?: () => Promise<string>;
}

interface Case {
  route: Route;
  /** Builds, through the API, the record the request needs, and says what to send. */
  arrange: () => Promise<Arranged>;
}

/**
 * Mutating routes where a key does not apply, with the reason. Nothing else may be left out: a
 * route that cannot be made to succeed belongs here, said why, never silently skipped.
 */
const EXCLUDED: Partial<Record<Route, string>> = {
  // Public: keys are scoped to an authenticated user, and no answer of a login (a token) is stored.
  'POST /auth/login': 'public route (no actor): the interceptor ignores Idempotency-Key by design',
  // Their request or answer is a credential: never stored with a key, never answered again (checked below).
  'POST /auth/password': 'answers a new bearer token (@IgnoresIdempotencyKey): the key is ignored',
  'POST /events/ticket': 'answers a one-use stream ticket (@IgnoresIdempotencyKey): the key is ignored',
  'POST /users': 'carries the new user\'s password (@IgnoresIdempotencyKey): the key is ignored',
  'POST /users/{id}/password': 'carries the password set (@IgnoresIdempotencyKey): the key is ignored',
  // They end or grant sign-ins: run again, they do what they say now (checked below).
  'POST /auth/logout': 'ends sign-ins (@IgnoresIdempotencyKey): the key is ignored',
  'POST /users/{id}/disable': 'ends sign-ins (@IgnoresIdempotencyKey): the key is ignored',
  'POST /users/{id}/enable': 'grants sign-ins (@IgnoresIdempotencyKey): the key is ignored',
};

/**
 * Routes whose replay is known to differ from the first answer (a bug in the application, not in
 * this test): their case runs as `it.failing` until they are fixed, when `it.failing` itself fails
 * and the entry is to be removed.
 */
const KNOWN_FAILING: Partial<Record<Route, string>> = {};

// PUT too: the API has none, and one added later must not pass unnoticed (the interceptor ignores PUT).
const isMutating = (method: string) => ['post', 'patch', 'delete', 'put'].includes(method);

/** The top-level keys where two JSON bodies differ, or the whole body when either is not an object. */
function differingKeys(first: unknown, replay: unknown): string[] {
  if (isDeepStrictEqual(first, replay)) return [];
  const plain = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!plain(first) || !plain(replay)) return ['(the whole body)'];
  return [...new Set([...Object.keys(first), ...Object.keys(replay)])].filter((key) => !isDeepStrictEqual(first[key], replay[key]));
}

const preview = (value: unknown) => {
  const json = JSON.stringify(value) ?? 'undefined';
  return json.length > 300 ? `${json.slice(0, 300)}…` : json;
};

describe('Idempotency-Key on every mutating route: a replay answers the first answer and writes nothing', () => {
  let story: Story<string>;
  let app: INestApplication;
  let dataSource: DataSource;
  const clock = new TestClock(new Date('2026-11-25T09:00:00Z'));
  const t = {} as Record<'admin' | 'drafter' | 'approver' | 'clearer' | 'beijing' | 'beijingApprover', string>;
  const as = (token: string) => authed(app, token);
  /** Every mutating operation of the OpenAPI document, as `METHOD /path`. */
  let documented: Route[] = [];
  /** The mutating routes the document gives no request body. */
  let bodyless = new Set<Route>();
  let jsonBodied = new Set<Route>();
  /** The routes whose case got as far as sending its first request. */
  const exercised = new Set<Route>();
  let serial = 0;
  /** A name no other case uses: letters only, for post codes too. */
  const unique = () => {
    let n = serial++;
    let letters = '';
    do {
      letters = String.fromCharCode(65 + (n % 26)) + letters;
      n = Math.floor(n / 26);
    } while (n > 0);
    return letters;
  };

  const countEvents = async () => (await dataSource.query('SELECT count(*)::int AS n FROM events'))[0].n as number;

  function send(method: Method, sent: Sent, key: string) {
    const agent = request(app.getHttpServer());
    const call = (method === 'POST' ? agent.post(sent.path) : method === 'PATCH' ? agent.patch(sent.path) : method === 'PUT' ? agent.put(sent.path) : agent.delete(sent.path))
      .set('Authorization', `Bearer ${sent.token}`)
      .set('Idempotency-Key', key);
    if (sent.upload) return call.field('kind', sent.upload.kind).attach('file', sent.upload.file, { filename: sent.upload.filename });
    return sent.body === undefined ? call : call.send(sent.body);
  }

  // ---- records in the state each command needs, built through the API ----

  const plainDraft = (subject: string) => ({
    kind: 'INFORMATIONAL', subject, classification: 'UNCLASSIFIED', captions: [], precedence: 'ROUTINE', tags: ['PREL', 'CH'],
    actionAddressees: ['BEIJING'], paragraphs: [{ marking: 'U', text: `${subject}: the text.` }],
  });
  const instruction = (subject: string) => ({
    kind: 'INSTRUCTION', subject, classification: 'CONFIDENTIAL', captions: ['SIPDIS'], precedence: 'IMMEDIATE', tags: ['PREL', 'KIPR', 'CH'],
    actionAddressees: ['BEIJING'],
    paragraphs: [
      { marking: 'U', text: 'Action request: see paragraph 2.' },
      { marking: 'C', text: 'Raise concerns about the extraction and distillation of U.S. AI models.' },
    ],
    classifiedBy: { name: 'Jane Doe', title: 'Office Director', office: 'EAP/CM', reasons: ['1.4(b)'], declassifyOn: '2050-12-31' },
    demarche: { reportBy: '2026-12-15', targets: 'Foreign ministry, director-general level', points: [2] },
  });
  const counterpart = { name: 'Li Wei', title: 'Director-General', organization: 'Ministry of Foreign Affairs' };
  const delivery = { deliveredOn: '2026-11-25', counterpart, level: 'DIRECTOR_GENERAL', method: 'IN_PERSON' };
  const response = { receivedOn: '2026-11-25', position: 'NONCOMMITTAL', summary: 'Took note; will study.' };

  const draft = async () => (await as(t.drafter).post('/cables', plainDraft(`Replay cable ${unique()}`)).expect(201)).body.id as string;
  const draftAskingL = async () => {
    const id = await draft();
    await as(t.drafter).post(`/cables/${id}/clearance-requests`, { offices: ['L'] }).expect(200);
    return id;
  };
  const submitted = async () => {
    const id = await draft();
    await as(t.drafter).post(`/cables/${id}/submit`).expect(200);
    return id;
  };
  const approved = async () => {
    const id = await submitted();
    await as(t.approver).post(`/cables/${id}/approve`).expect(200);
    return id;
  };
  /** A released instruction to Beijing, and the campaign it opened (Beijing's delivery PENDING). */
  const campaign = async () => {
    const id = await releaseCable(app, t.drafter, t.approver, instruction(`Replay demarche ${unique()}`));
    const opened = await awaitCampaign(app, t.beijing, id);
    expect(opened.status).toBe(200);
    return { id, mrn: opened.body.mrn as string, deliveries: `/demarches/${id}/deliveries/BEIJING` };
  };
  const deliveredCampaign = async () => {
    const opened = await campaign();
    await as(t.beijing).post(`${opened.deliveries}/delivery`, delivery).expect(201);
    return opened;
  };
  const user = async (roles = ['drafter'], office = 'EAP/CM') => {
    const username = `replay.${unique().toLowerCase()}`;
    const created = await createUser(app, t.admin, { username, roles, office });
    return { ...created, username, password: `${username}-password-123` };
  };
  const post = async () => {
    const code = `REPLAY${unique()}`;
    await as(t.admin).post('/posts', { code, name: `Embassy ${code}`, kind: 'EMBASSY', city: `Replay ${code}`, country: 'TV', countryTag: 'TV', bureau: 'EUR' }).expect(201);
    return code;
  };
  const followUp = async () =>
    (await as(t.drafter).post('/follow-ups', { title: `Replay follow-up ${unique()}`, owner: { office: 'EAP/CM' }, dueOn: '2026-12-10' }).expect(201)).body.id as string;
  /** A clearer of ISN with at least one notification (a cable asking ISN to clear), and its notifications. */
  const notified = async () => {
    const clearer = await user(['clearer'], 'ISN');
    const id = await draft();
    await as(t.drafter).post(`/cables/${id}/clearance-requests`, { offices: ['ISN'] }).expect(200);
    await app.get(ProjectionRunner).catchUp();
    const { items } = (await as(clearer.token).get('/notifications').expect(200)).body as { items: { id: string; read: boolean }[] };
    expect(items.length).toBeGreaterThan(0);
    return { token: clearer.token, items };
  };

  // ---- the cases: one a route ----

  const CASES: Case[] = [
    // identity
    {
      route: 'PATCH /users/{id}',
      arrange: async () => {
        const u = await user();
        return { token: t.admin, path: `/users/${u.id}`, body: { displayName: 'Renamed Once' }, changed: { body: { displayName: 'Renamed Otherwise' } } };
      },
    },
    {
      route: 'POST /offices',
      arrange: async () => {
        const symbol = `EAP/R${unique()}`;
        return { token: t.admin, path: '/offices', body: { symbol, name: 'Office of Replay Affairs' }, changed: { body: { symbol, name: 'Office of Other Affairs' } } };
      },
    },
    // posts
    {
      route: 'POST /posts',
      arrange: async () => {
        const code = `REPLAYNEW${unique()}`;
        const body = { code, name: `Embassy ${code}`, kind: 'EMBASSY', city: `Replay ${code}`, country: 'TV', countryTag: 'TV', bureau: 'EUR' };
        return { token: t.admin, path: '/posts', body, changed: { body: { ...body, city: 'Elsewhere' } } };
      },
    },
    {
      route: 'PATCH /posts/{code}',
      arrange: async () => ({ token: t.admin, path: `/posts/${await post()}`, body: { name: 'Embassy Renamed' }, changed: { body: { name: 'Embassy Renamed Otherwise' } } }),
    },
    {
      route: 'POST /posts/{code}/suspend',
      arrange: async () => ({ token: t.admin, path: `/posts/${await post()}/suspend`, body: { reason: 'Typhoon' }, changed: { body: { reason: 'Unrest' } } }),
    },
    {
      route: 'POST /posts/{code}/reopen',
      arrange: async () => {
        const code = await post();
        await as(t.admin).post(`/posts/${code}/suspend`, { reason: 'Typhoon' }).expect(200);
        return { token: t.admin, path: `/posts/${code}/reopen` };
      },
    },
    {
      route: 'POST /posts/{code}/close',
      arrange: async () => ({ token: t.admin, path: `/posts/${await post()}/close`, body: { reason: 'Ordered departure' }, changed: { body: { reason: 'Budget' } } }),
    },
    // cables
    {
      route: 'POST /cables',
      arrange: async () => {
        const body = plainDraft(`Replay new cable ${unique()}`);
        return { token: t.drafter, path: '/cables', body, changed: { body: { ...body, subject: `${body.subject} (other)` } } };
      },
    },
    {
      route: 'PATCH /cables/{id}',
      arrange: async () => ({ token: t.drafter, path: `/cables/${await draft()}`, body: { subject: 'Edited once' }, changed: { body: { subject: 'Edited otherwise' } } }),
    },
    {
      route: 'POST /cables/{id}/clearance-requests',
      arrange: async () => ({ token: t.drafter, path: `/cables/${await draft()}/clearance-requests`, body: { offices: ['L'] }, changed: { body: { offices: ['ISN'] } } }),
    },
    {
      route: 'DELETE /cables/{id}/clearance-requests/{office}',
      arrange: async () => ({ token: t.drafter, path: `/cables/${await draftAskingL()}/clearance-requests/L` }),
    },
    {
      route: 'POST /cables/{id}/clearances',
      arrange: async () => ({
        token: t.clearer, path: `/cables/${await draftAskingL()}/clearances`, body: { office: 'L', decision: 'CLEARED' },
        changed: { body: { office: 'L', decision: 'CLEARED_WITH_COMMENTS', comments: 'With a comment.' } },
      }),
    },
    {
      route: 'POST /cables/{id}/submit',
      arrange: async () => ({ token: t.drafter, path: `/cables/${await draft()}/submit` }),
    },
    {
      route: 'POST /cables/{id}/approve',
      arrange: async () => ({ token: t.approver, path: `/cables/${await submitted()}/approve` }),
    },
    {
      route: 'POST /cables/{id}/return',
      arrange: async () => ({ token: t.approver, path: `/cables/${await submitted()}/return`, body: { reason: 'Tighten paragraph 1' }, changed: { body: { reason: 'Shorter, please' } } }),
    },
    {
      route: 'POST /cables/{id}/release',
      arrange: async () => ({ token: t.approver, path: `/cables/${await approved()}/release` }),
    },
    {
      route: 'POST /cables/{id}/cancel',
      arrange: async () => ({ token: t.drafter, path: `/cables/${await draft()}/cancel`, body: { reason: 'Overtaken by events' }, changed: { body: { reason: 'Not needed' } } }),
    },
    // demarches: each on a campaign of its own, Beijing tasked
    {
      route: 'POST /demarches/{id}/deliveries/{post}/delivery',
      arrange: async () => ({
        token: t.beijing, path: `${(await campaign()).deliveries}/delivery`, body: delivery,
        changed: { body: { ...delivery, method: 'PHONE' } },
      }),
    },
    {
      route: 'POST /demarches/{id}/deliveries/{post}/response',
      arrange: async () => ({
        token: t.beijing, path: `${(await deliveredCampaign()).deliveries}/response`, body: response,
        changed: { body: { ...response, position: 'REJECTED' } },
      }),
    },
    {
      route: 'POST /demarches/{id}/deliveries/{post}/contacts',
      arrange: async () => {
        const body = { on: '2026-11-25', counterpart, level: 'DIRECTOR_GENERAL', method: 'PHONE' };
        return { token: t.beijing, path: `${(await deliveredCampaign()).deliveries}/contacts`, body, changed: { body: { ...body, method: 'VIRTUAL' } } };
      },
    },
    {
      route: 'POST /demarches/{id}/deliveries/{post}/responses/{number}/reporting-cable',
      arrange: async () => {
        const opened = await deliveredCampaign();
        await as(t.beijing).post(`${opened.deliveries}/response`, response).expect(201);
        const reply = await releaseCable(app, t.beijing, t.beijingApprover, {
          kind: 'REPORTING', subject: `PRC response to the demarche ${unique()}`, classification: 'CONFIDENTIAL', captions: [], precedence: 'ROUTINE', tags: ['PREL', 'CH'],
          actionAddressees: ['SECSTATE'], references: [{ label: 'A', mrn: opened.mrn }], paragraphs: [{ marking: 'C', text: 'The MFA took note.' }],
          classifiedBy: { name: 'Pat Lee', title: 'DCM', office: 'BEIJING', reasons: ['1.4(d)'], declassifyOn: '2050-12-31' },
        });
        return {
          token: t.beijing, path: `${opened.deliveries}/responses/1/reporting-cable`, body: { reportingCableId: reply },
          changed: { body: { reportingCableId: randomUUID() } },
        };
      },
    },
    {
      route: 'POST /demarches/{id}/deliveries/{post}/documents',
      arrange: async () => ({
        token: t.beijing, path: `${(await deliveredCampaign()).deliveries}/documents`,
        upload: { kind: 'AIDE_MEMOIRE', file: Buffer.from('Aide-memoire: the points as delivered.'), filename: 'points.txt' },
        // The same form with another file: another request.
        changed: { upload: { kind: 'AIDE_MEMOIRE', file: Buffer.from('Another text altogether.'), filename: 'points.txt' } },
      }),
    },
    {
      route: 'POST /demarches/{id}/deliveries/{post}/not-delivered',
      arrange: async () => ({
        token: t.beijing, path: `${(await campaign()).deliveries}/not-delivered`, body: { reason: 'No appointment granted' },
        changed: { body: { reason: 'The ministry is closed' } },
      }),
    },
    // follow-ups
    {
      route: 'POST /follow-ups',
      arrange: async () => {
        const body = { title: `Seek a second meeting ${unique()}`, owner: { office: 'EAP/CM' }, dueOn: '2026-12-10' };
        return { token: t.drafter, path: '/follow-ups', body, changed: { body: { ...body, dueOn: '2026-12-11' } } };
      },
    },
    {
      route: 'PATCH /follow-ups/{id}',
      arrange: async () => ({ token: t.drafter, path: `/follow-ups/${await followUp()}`, body: { title: 'Retitled once' }, changed: { body: { title: 'Retitled otherwise' } } }),
    },
    {
      route: 'POST /follow-ups/{id}/start',
      arrange: async () => ({ token: t.drafter, path: `/follow-ups/${await followUp()}/start` }),
    },
    {
      route: 'POST /follow-ups/{id}/complete',
      arrange: async () => ({ token: t.drafter, path: `/follow-ups/${await followUp()}/complete`, body: { outcome: 'A second meeting was held.' }, changed: { body: { outcome: 'Nothing came of it.' } } }),
    },
    {
      route: 'POST /follow-ups/{id}/cancel',
      arrange: async () => ({ token: t.drafter, path: `/follow-ups/${await followUp()}/cancel`, body: { reason: 'No longer needed' }, changed: { body: { reason: 'Overtaken by events' } } }),
    },
    {
      route: 'POST /follow-ups/{id}/comments',
      arrange: async () => ({ token: t.drafter, path: `/follow-ups/${await followUp()}/comments`, body: { text: 'Called the MFA.' }, changed: { body: { text: 'Called again.' } } }),
    },
    // operations, notifications, live
    {
      route: 'POST /admin/projections/{name}/redrive',
      arrange: async () => ({ token: t.admin, path: '/admin/projections/cables/redrive' }),
    },
    {
      route: 'POST /notifications/read-all',
      arrange: async () => ({ token: (await notified()).token, path: '/notifications/read-all' }),
    },
    {
      route: 'POST /notifications/{id}/read',
      arrange: async () => {
        const { token, items } = await notified();
        return { token, path: `/notifications/${items[0].id}/read` };
      },
    },
  ];

  beforeAll(async () => {
    story = await startStory(clock, {
      clearer: { username: 'lclear', roles: ['clearer'], office: 'L', clearance: 'SECRET' },
      beijingApprover: { username: 'bjdcm', roles: ['approver'], postCode: 'BEIJING', clearance: 'SECRET' },
    });
    ({ app, dataSource } = story);
    Object.assign(t, story.tokens);
    const { paths } = (await request(app.getHttpServer()).get('/docs-json').expect(200)).body as { paths: Record<string, Record<string, unknown>> };
    documented = Object.entries(paths).flatMap(([path, operations]) =>
      Object.keys(operations).filter(isMutating).map((method) => `${method.toUpperCase()} ${path}` as Route),
    );
    jsonBodied = new Set(
      Object.entries(paths).flatMap(([path, operations]) =>
        Object.entries(operations)
          .filter(([method, operation]) => isMutating(method) && (operation as { requestBody?: { content?: Record<string, unknown> } }).requestBody?.content?.['application/json'] !== undefined)
          .map(([method]) => `${method.toUpperCase()} ${path}` as Route),
      ),
    );
    bodyless = new Set(
      Object.entries(paths).flatMap(([path, operations]) =>
        Object.entries(operations).filter(([method, operation]) => isMutating(method) && !(operation as { requestBody?: unknown }).requestBody).map(([method]) => `${method.toUpperCase()} ${path}` as Route),
      ),
    );
  }, 120_000);
  afterAll(async () => {
    await story?.end();
  });

  async function replayCase({ route, arrange }: Case): Promise<void> {
    const [method, template] = route.split(' ') as [Method, string];
    expect({ route, documented: documented.includes(route) }).toEqual({ route, documented: true });
    const sent = await arrange();
    const shape = new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`);
    expect({ route, path: sent.path, matches: shape.test(sent.path) }).toEqual({ route, path: sent.path, matches: true });
    exercised.add(route);

    // A route that takes no body (the document gives it none) refuses one, before it runs: 400 naming the field, nothing written.
    if (bodyless.has(route)) {
      const before = await countEvents();
      const refused = await send(method, { ...sent, body: { unexpected: true }, upload: undefined }, `refused-${randomUUID()}`);
      expect({ route, status: refused.status, errors: refused.body.errors }).toEqual({ route, status: 400, errors: [{ field: 'unexpected', message: expect.stringMatching(/should not exist/) }] });
      // Nor is a body of another type (which the JSON parser leaves unread) taken for none.
      const plain = await send(method, { ...sent, body: undefined, upload: undefined }, `refused-${randomUUID()}`).set('Content-Type', 'text/plain').send('Release it to ALDAC.');
      expect({ route, status: plain.status, errors: plain.body.errors }).toEqual({ route, status: 400, errors: [{ field: '(body)', message: 'this request takes no body' }] });
      expect({ route, written: (await countEvents()) - before }).toEqual({ route, written: 0 });
    }

    // A route that takes JSON refuses the same body sent as another type (which the JSON parser
    // leaves unread) with 415, rather than a 400 that every field is missing: nothing written.
    if (jsonBodied.has(route) && sent.body !== undefined) {
      const before = await countEvents();
      const plain = await send(method, { ...sent, body: undefined, upload: undefined }, `refused-${randomUUID()}`).set('Content-Type', 'text/plain').send(JSON.stringify(sent.body));
      const accepted = method === 'PATCH' ? { 'accept-patch': 'application/merge-patch+json, application/json' } : { accept: 'application/json' };
      expect({ route, status: plain.status, type: plain.body.type, detail: plain.body.detail, accepted: pick(plain.headers, ['accept', 'accept-patch']) }).toEqual({
        route,
        status: 415,
        type: 'urn:chancery:problem:unsupported-media-type',
        detail: expect.stringMatching(/^This request takes a JSON body \(Content-Type: application\/.*this one is text\/plain$/),
        accepted,
      });
      expect({ route, written: (await countEvents()) - before }).toEqual({ route, written: 0 });
    }

    const key = `replay-${randomUUID()}`;
    const first = await send(method, sent, key);
    if (first.status < 200 || first.status >= 300) throw new Error(`${route}: the first request must succeed, it got ${first.status} ${preview(first.body)}`);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    // Counted from the first answer on; a re-login for the replay (replayToken) writes no event, only an audit entry.
    const events = await countEvents();

    const token = sent.replayToken ? await sent.replayToken() : sent.token;
    const replay = await send(method, { ...sent, token }, key);
    const written = (await countEvents()) - events;
    const differences: string[] = [];
    if (replay.status !== first.status) differences.push(`status: first ${first.status}, replay ${replay.status}`);
    if (replay.headers['idempotent-replayed'] !== 'true') differences.push(`Idempotent-Replayed header: ${String(replay.headers['idempotent-replayed'])}`);
    // The ETag interceptor (`"<version>"`) runs outside the idempotency one, so a replay carries the
    // same ETag; a change whose answer has no version carries none (no weak tag of its bytes).
    const etag = (answer: request.Response) => answer.headers.etag;
    if (etag(replay) !== etag(first)) differences.push(`ETag: first ${String(etag(first))}, replay ${String(etag(replay))}`);
    if (replay.headers.location !== first.headers.location) differences.push(`Location: first ${String(first.headers.location)}, replay ${String(replay.headers.location)}`);
    if (replay.headers['content-type'] !== first.headers['content-type']) differences.push(`content-type: first ${first.headers['content-type']}, replay ${replay.headers['content-type']}`);
    const keys = differingKeys(first.body, replay.body);
    if (keys.length > 0) {
      differences.push(`body differs at ${keys.join(', ')}:\n      first:  ${preview(first.body)}\n      replay: ${preview(replay.body)}`);
    }
    if (written !== 0) differences.push(`the replay wrote ${written} event(s)`);
    if (differences.length > 0) throw new Error(`${route}: the replay is not the first answer:\n  - ${differences.join('\n  - ')}`);

    if (sent.changed) {
      const other = await send(method, { ...sent, token, body: undefined, upload: undefined, ...sent.changed }, key);
      expect({ route, status: other.status, code: other.body.code }).toEqual({ route, status: 422, code: 'IDEMPOTENCY_KEY_REUSED' });
      expect(other.headers['content-type']).toMatch(/application\/problem\+json/);
      expect({ route, written: (await countEvents()) - events }).toEqual({ route, written: 0 });
    }
  }

  for (const c of CASES) {
    const known = KNOWN_FAILING[c.route];
    const test = known ? it.failing : it;
    test(`${c.route}${known ? ` (known to fail: ${known})` : ''}`, () => replayCase(c), 120_000);
  }

  it('never stores or answers again a credential: a password change and a stream ticket ignore the key', async () => {
    const stored = async (key: string) => (await dataSource.query('SELECT count(*)::int AS n FROM idempotency_keys WHERE key = $1', [key]))[0].n as number;
    const owner = await user();
    const tickets = [];
    for (let i = 0; i < 2; i++) {
      const answer = await request(app.getHttpServer()).post('/events/ticket').set('Authorization', `Bearer ${owner.token}`).set('Idempotency-Key', 'ticket-key').expect(201);
      expect(answer.headers['idempotent-replayed']).toBeUndefined();
      tickets.push(answer.body.ticket);
    }
    expect(tickets[0]).not.toEqual(tickets[1]);
    expect(await stored('ticket-key')).toBe(0);
    const newPassword = `amber-glacier-compass-${unique().toLowerCase()}`;
    const changed = await request(app.getHttpServer()).post('/auth/password').set('Authorization', `Bearer ${owner.token}`).set('Idempotency-Key', 'password-key')
      .send({ currentPassword: owner.password, newPassword }).expect(200);
    expect(changed.body.accessToken).toEqual(expect.any(String));
    expect(await stored('password-key')).toBe(0);
    // Sent again, it runs again: the current password no longer matches.
    const again = await request(app.getHttpServer()).post('/auth/password').set('Authorization', `Bearer ${changed.body.accessToken}`).set('Idempotency-Key', 'password-key')
      .send({ currentPassword: owner.password, newPassword });
    expect(again.status).toBeGreaterThanOrEqual(400);
    expect(again.status).toBeLessThan(500);
    expect(JSON.stringify(await dataSource.query('SELECT response FROM idempotency_keys'))).not.toContain(changed.body.accessToken);
  });

  it('keeps no password in a key\'s fingerprint: creating a user and setting a password ignore the key, and run again', async () => {
    const stored = async (key: string) => (await dataSource.query('SELECT count(*)::int AS n FROM idempotency_keys WHERE key = $1', [key]))[0].n as number;
    const username = `keyed.${unique().toLowerCase()}`;
    const body = { username, password: 'saffron-pelican-orbit-3', displayName: 'Keyed User', roles: ['drafter'], office: 'EAP/CM', clearance: 'UNCLASSIFIED' };
    const create = () => request(app.getHttpServer()).post('/users').set('Authorization', `Bearer ${t.admin}`).set('Idempotency-Key', `create-${username}`).send(body);
    const created = await create().expect(201);
    expect(await stored(`create-${username}`)).toBe(0);
    // Sent again, it runs again: the user is there already.
    expect((await create().expect(409)).headers['idempotent-replayed']).toBeUndefined();
    const reset = () => request(app.getHttpServer()).post(`/users/${created.body.id}/password`).set('Authorization', `Bearer ${t.admin}`).set('Idempotency-Key', `reset-${username}`).send({ password: 'walnut-glacier-sonnet-8' });
    await reset().expect(200);
    expect((await reset().expect(200)).headers['idempotent-replayed']).toBeUndefined();
    expect(await stored(`reset-${username}`)).toBe(0);
    await login(app, username, 'walnut-glacier-sonnet-8');
  });

  it('ends sign-ins whenever asked: a logout or a disabling sent again with its key, after a new sign-in or an enabling, does it again', async () => {
    const u = await user();
    const logout = (token: string) => request(app.getHttpServer()).post('/auth/logout').set('Authorization', `Bearer ${token}`).set('Idempotency-Key', 'logout-once');
    await logout(u.token).expect(204);
    const again = await login(app, u.username, u.password);
    expect((await logout(again).expect(204)).headers['idempotent-replayed']).toBeUndefined();
    await as(again).get('/auth/me').expect(401);
    const disable = () => request(app.getHttpServer()).post(`/users/${u.id}/disable`).set('Authorization', `Bearer ${t.admin}`).set('Idempotency-Key', 'disable-once').send({ reason: 'On leave' });
    await disable().expect(200);
    await as(t.admin).post(`/users/${u.id}/enable`).expect(200);
    const disabledAgain = await disable().expect(200);
    expect(disabledAgain.headers['idempotent-replayed']).toBeUndefined();
    expect(disabledAgain.body.disabled).toBe(true);
    await request(app.getHttpServer()).post('/auth/login').send({ username: u.username, password: u.password }).expect(401);
  });

  it('replays, after an upgrade, an answer an older release stored: its request fingerprinted that release\'s way (the path as sent, no If-Match)', async () => {
    // How releases before 2026-12-02 fingerprinted a request; the row is made to look as one stored it.
    const olderFingerprint = (method: string, path: string, body: object) => createHash('sha256').update(`${method} ${path}\n${canonicalize(body)}`).digest('hex');
    const storedByOlderRelease = (key: string, hash: string, fingerprint = 1) =>
      dataSource.query('UPDATE idempotency_keys SET request_hash = $2, fingerprint = $3 WHERE key = $1', [key, hash, fingerprint]);
    const keyed = (method: 'post' | 'patch', path: string, body: object, key: string, ifMatch?: string) => {
      const call = request(app.getHttpServer())[method](path).set('Authorization', `Bearer ${t.drafter}`).set('Idempotency-Key', key);
      return (ifMatch ? call.set('If-Match', ifMatch) : call).send(body);
    };
    const body = plainDraft(`Drafted before the upgrade ${unique()}`);
    const created = await keyed('post', '/cables', body, `upgrade-create-${unique()}`).expect(201);
    const key = created.request.getHeader('Idempotency-Key') as string;
    await storedByOlderRelease(key, olderFingerprint('POST', '/cables', body));
    const events = await countEvents();
    const again = await keyed('post', '/cables', body, key).expect(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(created.body);
    expect(await countEvents()).toBe(events);
    expect((await keyed('post', '/cables', { ...body, subject: 'Another subject' }, key).expect(422)).body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    // A change with a precondition, its record named in capitals: that release left both as they were sent.
    const path = `/cables/${String(created.body.id).toUpperCase()}`;
    const edit = { subject: `Edited before the upgrade ${unique()}` };
    const edited = await keyed('patch', path, edit, `upgrade-edit-${unique()}`, '"1"').expect(200);
    const editKey = edited.request.getHeader('Idempotency-Key') as string;
    await storedByOlderRelease(editKey, olderFingerprint('PATCH', path, edit));
    const retried = await keyed('patch', path, edit, editKey, '"1"').expect(200);
    expect(retried.headers['idempotent-replayed']).toBe('true');
    expect(retried.body).toEqual(edited.body);
    // An answer this release stored is held to its own fingerprint: the older one does not stand in for it.
    await storedByOlderRelease(editKey, olderFingerprint('PATCH', path, edit), 2);
    expect((await keyed('patch', path, edit, editKey, '"1"').expect(422)).body.code).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it('covers every POST, PATCH and DELETE of the OpenAPI document: each has a case that ran, or is excluded with a reason', () => {
    expect(documented.length).toBeGreaterThan(0);
    const missing = documented.filter((route) => !exercised.has(route) && !(route in EXCLUDED));
    const unknown = [...CASES.map((c) => c.route), ...(Object.keys(EXCLUDED) as Route[])].filter((route) => !documented.includes(route));
    const duplicated = CASES.map((c) => c.route).filter((route, i, all) => all.indexOf(route) !== i || route in EXCLUDED);
    expect({ 'mutating routes without a case that ran': missing, 'cases or exclusions for routes the document does not list': unknown, 'routes with two cases, or a case and an exclusion': duplicated }).toEqual({
      'mutating routes without a case that ran': [],
      'cases or exclusions for routes the document does not list': [],
      'routes with two cases, or a case and an exclusion': [],
    });
  });
});

/** The headers named that the answer carries. */
function pick(headers: Record<string, string>, names: string[]): Record<string, string> {
  return Object.fromEntries(names.filter((name) => headers[name] !== undefined).map((name) => [name, headers[name]]));
}

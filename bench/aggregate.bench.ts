import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { NestFactory } from '@nestjs/core';
import { getPostgreSQLEventStore } from '@event-driven-io/emmett-postgresql';
import pg from 'pg';
import { AppModule } from '../apps/api/src/app.module.js';
import { Cable, type CableActor, cableDefinition, type CableDraft, type CableEvent, type DraftingWorld } from '@chancery/cables';
import { systemContext } from '@chancery/common';
import { loadConfig } from '@chancery/config';
import { AggregateRepositoryFactory, EventStore } from '@chancery/event-store';
import { benchDatabaseUrl, peakRssMb, round, writeResult, benchAuditEnv } from './support.js';

/**
 * Loads a cable of 1,000 events: from its snapshot, by folding all 1,000 events, and through
 * Emmett's `aggregateStream` over the same events in the same PostgreSQL, folded by the same code.
 */
const EVENTS = 1000;
const LOADS = Number(process.env.BENCH_LOADS ?? 200);

const world: DraftingWorld = { today: '2026-11-29', isAddressable: () => true, isReleasedMrn: () => false };
const drafter: CableActor = { id: randomUUID(), username: 'bench', roles: ['drafter'], office: 'EAP/CM', postCode: null };
const draft = (n: number): CableDraft => ({
  kind: 'INSTRUCTION',
  subject: 'Demarche: extraction and distillation of U.S. AI models',
  classification: 'UNCLASSIFIED',
  captions: [],
  precedence: 'ROUTINE',
  tags: ['PREL', 'ETTC', 'CH'],
  actionAddressees: ['ALDAC'],
  infoAddressees: [],
  references: [],
  paragraphs: [
    { marking: 'U', text: 'This is an action request; see paragraph 2.' },
    { marking: 'U', text: `Posts should raise these concerns with host governments (revision ${n}).` },
  ],
  classifiedBy: null,
  demarche: { reportBy: '2026-12-15', targets: 'Foreign ministry', points: [2] },
});

async function timeLoads(load: () => Promise<unknown>) {
  for (let i = 0; i < 10; i++) await load(); // warm-up
  const times: number[] = [];
  for (let i = 0; i < LOADS; i++) {
    const t0 = performance.now();
    await load();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return { p50Ms: round(times[Math.floor(LOADS / 2)], 2), p99Ms: round(times[Math.floor(LOADS * 0.99)], 2) };
}

async function main() {
  const url = await benchDatabaseUrl('chancery_bench_aggregate');
  const config = loadConfig({ DATABASE_URL: url, LOG_LEVEL: 'warn', JWT_SECRET: 'bench-only-signing-key-that-is-long-enough', ADMIN_PASSWORD: 'bench-admin-password', OVERDUE_SCAN_MS: '0', DB_POOL_SIZE: '4', ...(await benchAuditEnv()) });
  const app = await NestFactory.createApplicationContext(AppModule.forRoot({ config }), { logger: ['error', 'warn'] });
  const repositories = app.get(AggregateRepositoryFactory);
  const withSnapshots = repositories.for(cableDefinition);
  const withoutSnapshots = repositories.for({ ...cableDefinition, snapshots: undefined });

  // 1 draft and 999 edits, saved as one stream; the snapshot is taken at version 1,000.
  const id = randomUUID();
  await withSnapshots.create(systemContext('bench'), 'DraftCable', () => {
    const cable = Cable.create(id, drafter, draft(0), world, new Date().toISOString());
    for (let n = 1; n < EVENTS; n++) cable.edit(drafter, draft(n), world, new Date().toISOString());
    return cable;
  }, () => undefined);
  const events = await app.get(EventStore).readStream(withSnapshots.streamId(id));

  // The same events, in Emmett's store in the same database, folded by the same Cable code.
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  const emmett = getPostgreSQLEventStore(url, { connectionOptions: { pool } });
  await emmett.appendToStream(`cable-${id}`, events.map((e) => ({ type: e.type, data: e.data as Record<string, unknown> })));
  const emmettLoad = () =>
    emmett.aggregateStream<Cable, { type: string; data: Record<string, unknown> }>(`cable-${id}`, {
      initialState: () => new Cable(id),
      evolve: (cable: Cable, event: { type: string; data: Record<string, unknown> }) => {
        cable.replay([{ type: event.type, data: event.data } as unknown as CableEvent], 0);
        return cable;
      },
    });

  const check = async (load: () => Promise<unknown>, name: string) => {
    const cable = (await load()) as Cable;
    if (!cable.draft.paragraphs[1].text.includes(`revision ${EVENTS - 1}`)) throw new Error(`${name} loaded the wrong state`);
  };
  await check(() => withSnapshots.load(id), 'snapshot');
  await check(() => withoutSnapshots.load(id), 'full fold');
  await check(async () => (await emmettLoad()).state, 'Emmett');

  const rows = [
    { load: 'Chancery, from the snapshot', ...(await timeLoads(() => withSnapshots.load(id))) },
    { load: `Chancery, folding ${EVENTS} events`, ...(await timeLoads(() => withoutSnapshots.load(id))) },
    { load: `Emmett aggregateStream, folding ${EVENTS} events`, ...(await timeLoads(emmettLoad)) },
  ];
  const rssMb = peakRssMb();
  const file = await writeResult('aggregate', { benchmark: 'aggregate', events: EVENTS, loads: LOADS, rows, peakRssMb: rssMb, at: new Date().toISOString() });

  console.log(`\nLoading a cable of ${EVENTS} events (${LOADS} loads each, one at a time)\n`);
  console.log('| load | p50 ms | p99 ms |');
  console.log('|---|---:|---:|');
  for (const r of rows) console.log(`| ${r.load} | ${r.p50Ms} | ${r.p99Ms} |`);
  console.log(`\nTarget: from the snapshot under 5 ms. Peak RSS ${rssMb} MB. Written to ${file}`);
  await emmett.close();
  await app.close();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

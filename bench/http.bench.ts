import 'reflect-metadata';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { NestFactory } from '@nestjs/core';
import autocannon from 'autocannon';
import { AppModule } from '../apps/api/src/app.module.js';
import { systemContext } from '@chancery/common';
import { loadConfig } from '@chancery/config';
import { Campaign, campaignDefinition } from '@chancery/demarches';
import { AggregateRepositoryFactory } from '@chancery/event-store';
import { PostsQuery } from '@chancery/posts';
import { benchDatabaseUrl, peakRssMb, pool, round, writeResult } from './support.js';

/**
 * The API as users run it (`dist/apps/api/src/main.js`, its own process) under load from autocannon
 * in this process: a command route (POST …/delivery, each request a new delivery) and a query route
 * (GET /demarches/:id, an ALDAC-sized campaign), against a bare NestJS route answering a constant.
 */
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 8);
const CAMPAIGNS = Number(process.env.BENCH_CAMPAIGNS ?? 6000);
const ENV = { JWT_SECRET: 'bench-only-signing-key-that-is-long-enough', ADMIN_PASSWORD: 'bench-admin-password', OVERDUE_SCAN_MS: '0' };

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

const children = new Set<ChildProcess>();

async function start(script: string, env: Record<string, string>): Promise<{ child: ChildProcess; base: string; peakRssMb: () => Promise<number> }> {
  const port = await freePort();
  const child = spawn(process.execPath, [script], { env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' }, stdio: ['ignore', 'ignore', 'inherit'] });
  children.add(child);
  child.once('exit', () => children.delete(child));
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`${script} exited with ${child.exitCode}`);
    try {
      await fetch(`${base}/`);
      break;
    } catch {
      if (i > 300) throw new Error(`${script} did not start`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  // Peak RSS of the server process, from /proc (VmHWM), read before it is stopped.
  const peakRssMb = async () => {
    const { readFile } = await import('node:fs/promises');
    const status = await readFile(`/proc/${child.pid}/status`, 'utf8');
    return round(Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024);
  };
  return { child, base, peakRssMb };
}

const stop = (child: ChildProcess) => new Promise<void>((resolve) => {
  child.once('exit', () => resolve());
  child.kill('SIGTERM');
});

async function load(options: autocannon.Options) {
  const result = await autocannon({ connections: CONNECTIONS, duration: SECONDS, ...options });
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${options.url}: ${result.non2xx} answers were not 2xx, ${result.errors} errors`);
  return { requestsPerSecond: round(result.requests.average), p50Ms: result.latency.p50, p99Ms: result.latency.p99 };
}

async function main() {
  const url = await benchDatabaseUrl('chancery_bench_http');

  // Campaigns to deliver to, written through the aggregates before the server starts.
  const seeder = await NestFactory.createApplicationContext(AppModule.forRoot({ config: loadConfig({ ...ENV, DATABASE_URL: url, LOG_LEVEL: 'warn' }) }), { logger: ['error', 'warn'] });
  const posts = (await seeder.get(PostsQuery).list({ status: 'OPEN' }, 10_000, 0)).items.map((p) => p.code);
  const campaigns = seeder.get(AggregateRepositoryFactory).for(campaignDefinition);
  const open = (id: string, addressed: string[]) =>
    campaigns.create(systemContext('bench'), 'OpenCampaign', () => Campaign.open({
      cableId: id, mrn: `26 STATE ${id.slice(0, 6)}`, subject: 'Benchmark demarche', classification: 'UNCLASSIFIED', captions: [],
      reportBy: '2026-12-15', targets: 'MFA', posts: addressed, workingParty: [],
    }, new Date().toISOString()), () => undefined);
  const aldac = randomUUID();
  await open(aldac, posts);
  const small = Array.from({ length: CAMPAIGNS }, () => randomUUID());
  await pool(small, 8, (id) => open(id, ['BEIJING', 'LONDON', 'TOKYO']));
  await seeder.close();

  const api = await start(new URL('../apps/api/src/main.js', import.meta.url).pathname, { ...ENV, DATABASE_URL: url });
  const post = async (path: string, body: object, token?: string) => {
    const response = await fetch(`${api.base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) });
    if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
    return response.json() as Promise<Record<string, unknown>>;
  };
  const admin = (await post('/auth/login', { username: 'admin', password: 'bench-admin-password' })).accessToken as string;
  await post('/users', { username: 'bench.beijing', password: 'bench-post-password', displayName: 'Beijing', roles: ['post_officer'], postCode: 'BEIJING', clearance: 'SECRET' }, admin);
  await post('/users', { username: 'bench.lead', password: 'bench-lead-password', displayName: 'Lead', roles: ['leadership'], office: 'S', clearance: 'SECRET' }, admin);
  const officer = (await post('/auth/login', { username: 'bench.beijing', password: 'bench-post-password' })).accessToken as string;
  const leader = (await post('/auth/login', { username: 'bench.lead', password: 'bench-lead-password' })).accessToken as string;

  const delivery = JSON.stringify({ deliveredOn: '2026-11-20', counterpart: { name: 'Wang', title: 'Director-General', organization: 'MFA' }, level: 'DIRECTOR', method: 'IN_PERSON' });
  let nextCampaign = 0;
  const command = await load({
    url: api.base,
    requests: [{
      method: 'POST',
      setupRequest: (request) => ({ ...request, path: `/demarches/${small[nextCampaign++]}/deliveries/BEIJING/delivery`, headers: { ...request.headers, 'content-type': 'application/json', authorization: `Bearer ${officer}` }, body: delivery }),
    }],
  });
  if (nextCampaign > small.length) throw new Error('ran out of campaigns: raise BENCH_CAMPAIGNS');
  const query = await load({ url: `${api.base}/demarches/${aldac}`, headers: { authorization: `Bearer ${leader}` } });
  const apiRss = await api.peakRssMb();
  await stop(api.child);

  const bareServer = await start(new URL('./servers/bare.js', import.meta.url).pathname, {});
  const bare = await load({ url: `${bareServer.base}/bare` });
  const bareRss = await bareServer.peakRssMb();
  await stop(bareServer.child);

  const rows = [
    { route: 'POST /demarches/:id/deliveries/:post/delivery (command)', ...command, ratioToBare: round(command.requestsPerSecond / bare.requestsPerSecond, 3), serverPeakRssMb: apiRss },
    { route: `GET /demarches/:id (query, ${posts.length} posts)`, ...query, ratioToBare: round(query.requestsPerSecond / bare.requestsPerSecond, 3), serverPeakRssMb: apiRss },
    { route: 'GET /bare (NestJS, a constant)', ...bare, ratioToBare: 1, serverPeakRssMb: bareRss },
  ];
  const file = await writeResult('http', { benchmark: 'http', connections: CONNECTIONS, secondsPerRun: SECONDS, rows, benchPeakRssMb: peakRssMb(), at: new Date().toISOString() });
  console.log(`\nHTTP under load (${CONNECTIONS} connections, ${SECONDS} s each; servers in their own processes)\n`);
  console.log('| route | requests/s | p50 ms | p99 ms | vs bare | server peak RSS MB |');
  console.log('|---|---:|---:|---:|---:|---:|');
  for (const r of rows) console.log(`| ${r.route} | ${r.requestsPerSecond} | ${r.p50Ms} | ${r.p99Ms} | ${(r.ratioToBare * 100).toFixed(0)}% | ${r.serverPeakRssMb} |`);
  console.log(`\nTarget: the command route at least 25% of the bare route's requests/s. Written to ${file}`);
}

main().catch((error) => {
  console.error(error);
  for (const child of children) child.kill('SIGKILL');
  process.exit(1);
});

import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';

/**
 * `npm run bench`: every benchmark, one after the other, each in a process of its own (so that one's
 * memory and connections do not weigh on the next); then the targets, met or not, in one table.
 */
const BENCHES = ['append', 'aggregate', 'rebuild', 'http', 'dashboard'];

for (const name of BENCHES) {
  console.log(`\n## ${name}\n`);
  const run = spawnSync(process.execPath, [new URL(`./${name}.bench.js`, import.meta.url).pathname], { stdio: 'inherit' });
  if (run.status !== 0) {
    console.error(`${name} failed (exit ${run.status})`);
    process.exit(1);
  }
}

const result = async (name: string) => JSON.parse(await readFile(new URL(`../../bench/results/${name}.json`, import.meta.url), 'utf8'));
const [append, aggregate, rebuild, http, dashboard] = await Promise.all(BENCHES.map(result));
const at8 = append.rows.find((r: { writers: number }) => r.writers === 8);
const pct = (x: number) => `${(x * 100).toFixed(0)}%`;
const rows = [
  ['appends at 8 writers vs plain INSERT', pct(at8.ratioToPlain), '≥ 70%', at8.ratioToPlain >= 0.7],
  ['appends at 8 writers vs Emmett', `${at8.ratioToEmmett}x`, '> 1x', at8.ratioToEmmett > 1],
  ['cable of 1,000 events from its snapshot, p50', `${aggregate.rows[0].p50Ms} ms`, '< 5 ms', aggregate.rows[0].p50Ms < 5],
  ['rebuild vs plain scan', pct(rebuild.ratio), '≥ 35%', rebuild.ratio >= 0.35],
  ['command route vs bare NestJS route', pct(http.rows[0].ratioToBare), '≥ 25%', http.rows[0].ratioToBare >= 0.25],
  ['command route vs pgbench TPC-B (-c 8 -M prepared)', String(http.database.commandRatio), '≥ 0.4', http.database.commandRatio >= 0.4],
  ['GET /dashboard p97.5', `${dashboard.rows[0].p97_5Ms} ms`, 'p95 < 100 ms', dashboard.rows[0].p97_5Ms < 100],
];
console.log('\n## Targets\n');
console.log('| measure | result | target | met |');
console.log('|---|---:|---:|:---:|');
for (const [measure, value, target, met] of rows) console.log(`| ${measure} | ${value} | ${target} | ${met ? 'yes' : 'no'} |`);

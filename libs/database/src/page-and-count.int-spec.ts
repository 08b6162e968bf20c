import type { DataSource } from 'typeorm';
import { createTestDatabase, type TestDatabase } from '../../../test/support/test-database.js';
import { pageAndCount } from './page-and-count.js';
import { sql } from './sql.js';

/**
 * A page and its counts, one statement: the page in its order (keys sorting NULLs as asked), a page
 * past the end answering the counts alone, counts of the caller's choosing, the caller's parameters
 * numbered before the window's, and a page that agrees with its total while rows come and go.
 */
describe('pageAndCount', () => {
  let database: TestDatabase;
  let db: DataSource;

  beforeAll(async () => {
    database = await createTestDatabase(4);
    db = await database.dataSource(4);
    await sql(db, 'CREATE TABLE paged_things (id int PRIMARY KEY, kind text NOT NULL, rank int)');
    // 30 things, of two kinds; every fifth has no rank.
    await sql(db, `INSERT INTO paged_things SELECT i, CASE WHEN i % 2 = 0 THEN 'even' ELSE 'odd' END, CASE WHEN i % 5 = 0 THEN NULL ELSE i % 7 END FROM generate_series(1, 30) i`);
  });
  afterAll(() => database?.drop());

  const evens = (limit: number, offset: number, order: [string, string?][] = [['rank', 'DESC NULLS FIRST'], ['id']]) =>
    pageAndCount<{ id: number; rank: number | null }>(db, { columns: 'id, rank', from: 'paged_things WHERE kind = $1', order, params: ['even'], limit, offset });

  it('answers a page in its order, with the total of every row, and nothing of its own machinery in the rows', async () => {
    const all = await sql<{ id: number; rank: number | null }>(db, `SELECT id, rank FROM paged_things WHERE kind = 'even' ORDER BY rank DESC NULLS FIRST, id`);
    const pages = [];
    for (let offset = 0; offset < 15; offset += 4) pages.push(...(await evens(4, offset)).rows);
    expect(pages).toEqual(all);
    expect((await evens(4, 4)).counts).toEqual({ total: 15 });
    expect(Object.keys((await evens(1, 0)).rows[0]).sort()).toEqual(['id', 'rank']);
    // Ascending, NULLs last: the other way round.
    const ascending = (await evens(15, 0, [['rank', 'ASC NULLS LAST'], ['id', 'DESC']])).rows.map((r) => r.id);
    expect(ascending).toEqual((await sql<{ id: number }>(db, `SELECT id FROM paged_things WHERE kind = 'even' ORDER BY rank ASC NULLS LAST, id DESC`)).map((r) => r.id));
  });

  it('answers the counts past the last page, and counts of the caller’s choosing', async () => {
    expect(await evens(10, 15)).toEqual({ rows: [], counts: { total: 15 } });
    const counted = await pageAndCount(db, {
      columns: 'id', from: 'paged_things WHERE id <= $1', order: [['id']], params: [10], limit: 2, offset: 0,
      counts: `count(*)::int AS total, (count(*) FILTER (WHERE kind = 'odd'))::int AS odd`,
    });
    expect(counted).toEqual({ rows: [{ id: 1 }, { id: 2 }], counts: { total: 10, odd: 5 } });
  });

  it('never answers a page that disagrees with its total, while rows come and go', async () => {
    let writing = true;
    const writer = (async () => {
      for (let n = 1000; writing; n++) {
        await sql(db, `INSERT INTO paged_things VALUES ($1, 'even', 1)`, [n]);
        await sql(db, 'DELETE FROM paged_things WHERE id = $1', [n]);
      }
    })();
    try {
      for (let i = 0; i < 300; i++) {
        const whole = await evens(100, 0);
        expect({ i, listed: whole.rows.length }).toEqual({ i, listed: whole.counts.total });
      }
    } finally {
      writing = false;
      await writer;
    }
  });
});

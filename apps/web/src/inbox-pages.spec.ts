import { askedFor, itemKey, joined, noteAsked, readOn } from './inbox-pages.js';

describe('a section of the inbox, a page at a time', () => {
  it('adds the next page after what is shown, each item once, with the newer total', () => {
    const shown = { items: [{ followUpId: 'a' }, { followUpId: 'b' }], total: 5 };
    // One before them was done meanwhile: the next page begins with one already shown.
    expect(joined(shown, { items: [{ followUpId: 'b' }, { followUpId: 'c' }], total: 4 })).toEqual({ items: [{ followUpId: 'a' }, { followUpId: 'b' }, { followUpId: 'c' }], total: 4 });
    expect([itemKey({ cableId: 'k' }), itemKey({ demarcheId: 'd' }), itemKey({ id: 'i' })]).toEqual(['k', 'd', 'i']);
  });

  it('remembers how many the user asked to see, by user, screen and section', () => {
    noteAsked('u1', 'inbox', 'followUps', 150);
    expect([askedFor('u1', 'inbox', 'followUps'), askedFor('u2', 'inbox', 'followUps'), askedFor('u1', 'taskings', 'followUps'), askedFor('u1', 'inbox', 'toClear')]).toEqual([150, 0, 0, 0]);
  });

  describe('read on to as many as were asked for', () => {
    const realFetch = globalThis.fetch;
    const asked: string[] = [];
    /** A section of 260 items, `shrunk` of them gone once the first page was read. */
    let shrunk = 0;
    beforeAll(() => {
      Object.assign(globalThis, { sessionStorage: { getItem: () => null, setItem: () => undefined, removeItem: () => undefined } });
      globalThis.fetch = (async (path: string) => {
        asked.push(path);
        const url = new URL(path, 'http://localhost');
        const [limit, offset] = [Number(url.searchParams.get('limit')), Number(url.searchParams.get('offset'))];
        const all = Array.from({ length: 260 - shrunk }, (_, i) => ({ followUpId: `f${i + shrunk}` }));
        return new Response(JSON.stringify({ items: all.slice(offset, offset + limit), total: all.length }), { status: 200, headers: { 'content-type': 'application/json' } });
      }) as typeof fetch;
    });
    afterAll(() => {
      globalThis.fetch = realFetch;
    });

    it('reads at most 200 a request, from what is shown, and stops at the section\'s end', async () => {
      const first = { items: Array.from({ length: 50 }, (_, i) => ({ followUpId: `f${i}` })), total: 260 };
      const read = await readOn('followUps', first, 300);
      expect(read.items.map(itemKey)).toEqual(Array.from({ length: 260 }, (_, i) => `f${i}`));
      expect(read.total).toBe(260);
      expect(asked.splice(0)).toEqual(['/inbox?section=followUps&limit=200&offset=50', '/inbox?section=followUps&limit=50&offset=250']);
      // Nothing more to read: no request.
      expect(await readOn('followUps', first, 40)).toBe(first);
      expect(asked).toEqual([]);
    });

    it('stops when a page brings nothing new: the section shrank under it, to fewer than are shown', async () => {
      shrunk = 220;
      const first = { items: Array.from({ length: 50 }, (_, i) => ({ followUpId: `f${i}` })), total: 260 };
      const read = await readOn('followUps', first, 260);
      expect({ shown: read.items.length, total: read.total, asked: asked.splice(0) }).toEqual({ shown: 50, total: 40, asked: ['/inbox?section=followUps&limit=200&offset=50'] });
      shrunk = 0;
    });
  });
});

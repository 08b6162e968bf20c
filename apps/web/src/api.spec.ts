import { jest } from '@jest/globals';
import { ApiError, api, changedFields, DOUBLE_CLICK_MS, isStale, mayDo, type Me, mergePatch, plainMessage, problemText, words } from './api.js';

describe('validation messages in plain words', () => {
  it('says a date field must be a date, whichever way the server words it', () => {
    expect(plainMessage('dueOn', 'dueOn must be a date, YYYY-MM-DD')).toBe('Due date must be a date.');
    expect(plainMessage('dueOn', 'dueOn must be YYYY-MM-DD')).toBe('Due date must be a date.');
    // A delivery's fields said by their labels, and an empty file said as the server says it.
    expect(plainMessage('summary', 'summary must be shorter than or equal to 10000 characters', { summary: 'What the counterpart said' })).toBe('What the counterpart said can have at most 10000 characters.');
    expect(plainMessage('file', 'the file is empty', { file: 'The file' })).toBe('The file is empty.');
    expect(plainMessage('dueOn', 'dueOn: 2027-02-30 is no day of the calendar')).toBe('Due date: 2027-02-30 is no day of the calendar.');
  });

  it('says an unknown field is not expected, and an empty one cannot be', () => {
    expect(plainMessage('unexpected', 'property unexpected should not exist')).toMatch(/is not expected here\.$/);
    expect(plainMessage('title', 'title should not be empty')).toMatch(/cannot be empty\.$/);
  });
});

describe('rule messages in plain words', () => {
  it('names the field by the label the form gives it', () => {
    expect(plainMessage('on', 'on must be a date, not in the future', { on: 'Met on' })).toBe('Met on cannot be in the future.');
    expect(plainMessage('asOf', 'asOf must be an ISO 8601 instant')).toBe('As of must be a date.');
    // A member of a list, as the request's validation names it: the form's label for its field.
    expect(plainMessage('quotes.0.language', 'language is a BCP 47 tag such as zh or zh-Hans', { language: 'Language of the quote' })).toBe('Language of the quote must be a language code such as zh or zh-Hans.');
  });

  it('keeps the field\'s name before a message that began with it', () => {
    expect(plainMessage('demarche.reportBy', 'reportBy 2026-12-01 has passed (today is 2026-12-03): edit the draft to a later date, then submit it'))
      .toBe('Report-by date 2026-12-01 has passed (today is 2026-12-03): edit the draft to a later date, then submit it.');
  });

  it('says a message that is a sentence of its own as it is, without the API behind it', () => {
    expect(plainMessage('dueOn', 'a new due date cannot be in the past')).toBe('A new due date cannot be in the past.');
    expect(plainMessage('owner.office', 'XYZ is not an office in the directory (GET /offices)')).toBe('XYZ is not an office in the directory.');
  });
});

describe('the API\'s constants in words', () => {
  it('says each as people do, with a capital where it stands alone', () => {
    expect(words('CLEARED_WITH_COMMENTS', { capital: true })).toBe('Cleared with comments');
    expect(words('NON_CONCUR', { capital: true })).toBe('Does not concur');
    expect(words('NONCOMMITTAL')).toBe('noncommittal');
    expect(words('NOT_DELIVERED')).toBe('not delivered');
    expect(words(null)).toBe('');
  });
});

describe('a refusal for too many tries', () => {
  it('says until when to wait, from the server\'s Retry-After, in place of its seconds', () => {
    const refused = new ApiError(429, { detail: 'Too many failed password tries; try again in 873 s' }, 873);
    expect(problemText(refused)).toMatch(/^Too many failed password tries\. Try again in 15 minutes, at \d\d:\d\d UTC\.$/);
    expect(problemText(new ApiError(429, { detail: 'At most 3 event streams a user at once: close one first' }, 5))).toBe('At most 3 event streams a user at once: close one first. Try again in 5 seconds.');
    expect(problemText(new ApiError(429, { detail: 'Too many failed password tries; try again in 900 s' }))).toBe('Too many failed password tries; try again in 900 s.');
  });
});

describe('saving on the version read', () => {
  it('sends in a merge patch only the fields the form changed, whatever the order of their keys', () => {
    const shown = { subject: 'Talks', paragraphs: [{ marking: 'U', text: 'May.' }], classifiedBy: { name: 'Pat', office: 'L' }, demarche: null };
    expect(changedFields(shown, { subject: 'Talks: May', paragraphs: [{ text: 'May.', marking: 'U' }], classifiedBy: { office: 'L', name: 'Pat' }, demarche: null })).toEqual({ subject: 'Talks: May' });
    expect(changedFields({ office: null }, { office: 'L', postCode: null })).toEqual({ office: 'L' });
  });

  it('sends in a cable\'s merge patch what was taken out of a block as null, not the block whole (which the server would merge)', () => {
    const shown = { subject: 'Quotas', demarche: { reportBy: '2099-01-01', points: [1], scope: { kinds: ['EMBASSY'], excludePosts: ['TOKYO'] } }, classifiedBy: null };
    expect(mergePatch(shown, { subject: 'Quotas', demarche: { points: [1], reportBy: '2099-01-01', scope: { excludePosts: ['TOKYO'] } }, classifiedBy: null })).toEqual({ demarche: { scope: { kinds: null } } });
    expect(mergePatch(shown, { ...shown, demarche: null })).toEqual({ demarche: null });
    // An undefined member is no member, as in the JSON sent; nothing changed is an empty patch.
    expect(mergePatch(shown, { ...shown, subjectMarking: undefined })).toEqual({});
  });

  it('says a refusal for a record changed since in plain words, not the server\'s versions', () => {
    const stale = new ApiError(412, { detail: 'cable 5f0c is at version 5, not 3' });
    expect(isStale(stale)).toBe(true);
    expect(problemText(stale)).toBe('Someone changed this since you opened it; reload the page and try again.');
    // Statuses the server names are said in words; codes and names are kept.
    expect(problemText(new ApiError(409, { detail: 'The delivery is DELIVERED; record another meeting as a contact' }))).toBe('The delivery is delivered; record another meeting as a contact.');
    expect(problemText(new ApiError(409, { detail: 'TOKYO is CLOSED; NODIS cables stay PENDING_APPROVAL' }))).toBe('TOKYO is closed; NODIS cables stay pending approval.');
    expect(isStale(new ApiError(409, {}))).toBe(false);
  });
});

describe('a command sent twice at once (a double click)', () => {
  const sent: string[] = [];
  let refuse = false;
  const realFetch = globalThis.fetch;
  beforeAll(() => {
    // The browser's session storage, as the tab has it.
    const stored = new Map<string, string>();
    Object.assign(globalThis, { sessionStorage: { getItem: (k: string) => stored.get(k) ?? null, setItem: (k: string, v: string) => stored.set(k, v), removeItem: (k: string) => stored.delete(k) } });
    globalThis.fetch = (async (path: string, init?: RequestInit) => {
      sent.push(`${init?.method} ${path} ${init?.body ?? ''}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
      if (refuse) return new Response(JSON.stringify({ status: 503, detail: 'The database is busy' }), { status: 503, headers: { 'content-type': 'application/problem+json' } });
      return new Response(JSON.stringify({ id: `answer-${sent.length}` }), { status: 201, headers: { 'content-type': 'application/json' } });
    }) as typeof fetch;
  });
  afterAll(() => {
    globalThis.fetch = realFetch;
  });

  it('is sent once, and both clicks get its answer; another command, a read, or the same command later is sent', async () => {
    const [first, second] = await Promise.all([api('POST', '/cables', { subject: 'x' }), api('POST', '/cables', { subject: 'x' })]);
    expect([first, second, sent.length]).toEqual([{ id: 'answer-1' }, { id: 'answer-1' }, 1]);
    // Just after its answer, the same click again is still the same click.
    expect(await api('POST', '/cables', { subject: 'x' })).toEqual({ id: 'answer-1' });
    await api('POST', '/cables', { subject: 'y' });
    await api('POST', '/cables/k1/release', undefined, { ifMatch: 4 });
    await api('POST', '/cables/k1/release', undefined, { ifMatch: 5 });
    await Promise.all([api('GET', '/cables'), api('GET', '/cables')]);
    expect(sent).toHaveLength(6);
    await new Promise((resolve) => setTimeout(resolve, DOUBLE_CLICK_MS + 50));
    await api('POST', '/cables', { subject: 'x' });
    expect(sent).toHaveLength(7);
  });

  it('is sent again when asked for longer than a double click after its answer, even when the timer that forgets it has not fired', async () => {
    const before = sent.length;
    await api('POST', '/cables', { subject: 'late timer' });
    // A tab in the background: its timers fire late, while the clock moves on.
    const now = Date.now();
    const clock = jest.spyOn(Date, 'now').mockReturnValue(now + DOUBLE_CLICK_MS + 1);
    try {
      await api('POST', '/cables', { subject: 'late timer' });
    } finally {
      clock.mockRestore();
    }
    expect(sent.length - before).toBe(2);
  });

  it('sends every sign-in: none is answered with an earlier one\'s token', async () => {
    const before = sent.length;
    await Promise.all([api('POST', '/auth/login', { username: 'u', password: 'p' }), api('POST', '/auth/login', { username: 'u', password: 'p' })]);
    expect(sent.length - before).toBe(2);
  });

  it('is sent again once refused: a try after a refusal or a busy server is a new try', async () => {
    const before = sent.length;
    refuse = true;
    await expect(api('POST', '/cables', { subject: 'refused' })).rejects.toMatchObject({ status: 503 });
    await expect(api('POST', '/cables', { subject: 'refused' })).rejects.toMatchObject({ status: 503 });
    refuse = false;
    expect(await api('POST', '/cables', { subject: 'refused' })).toEqual({ id: `answer-${before + 3}` });
    expect(sent.length - before).toBe(3);
  });
});

describe('what the screens offer beside records (mayDo)', () => {
  const me = (roles: string[]): Me => ({ id: 'u', username: 'u', displayName: 'U', roles, office: null, postCode: null, clearance: 'SECRET', departmentTimeZone: 'UTC' });
  it("reads the server's permission table: a new follow-up for its creators, the dashboard for leadership alone", () => {
    expect(['drafter', 'post_officer', 'leadership', 'clearer', 'auditor'].map((role) => mayDo(me([role]), 'followups.create'))).toEqual([true, true, true, false, false]);
    expect(mayDo(me(['auditor', 'leadership']), 'dashboard.read')).toBe(true);
    expect(mayDo(me(['drafter']), 'dashboard.read')).toBe(false);
  });
});

describe('a refusal said in the API\'s terms', () => {
  it('is said in the page\'s words: no route, no permission name', () => {
    expect(problemText(new ApiError(401, { detail: 'This route needs a bearer token: log in at POST /auth/login' }))).toBe('Your session has ended: sign in again.');
    expect(problemText(new ApiError(401, { detail: 'Wrong username or password' }))).toBe('Wrong username or password.');
    expect(problemText(new ApiError(403, { detail: 'Not allowed: followups.create needs one of the roles drafter, post_officer, leadership' }))).toBe('Your roles do not allow this.');
    expect(problemText(new ApiError(403, { detail: 'Not allowed: someone of BEIJING gives a follow-up to BEIJING or to an office of the Department, not to another post (TOKYO)' })))
      .toBe('Not allowed: someone of BEIJING gives a follow-up to BEIJING or to an office of the Department, not to another post (TOKYO).');
  });
});

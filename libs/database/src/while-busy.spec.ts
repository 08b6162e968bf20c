import { ChanceryError, ErrorCode } from '@chancery/common';
import { whileBusy } from './while-busy.js';

/** Transactions colliding: how contention between them fails. */
const deadlock = () => Object.assign(new Error('deadlock detected'), { code: '40P01' });
const refusedAsBusy = () => new ChanceryError(ErrorCode.DatabaseBusy, 'The database is busy; try again shortly.');

function failing(failures: (() => Error)[], answer = 'done') {
  let calls = 0;
  const work = async () => {
    const failure = failures[calls++];
    if (failure) throw failure();
    return answer;
  };
  return { work, calls: () => calls };
}

describe('whileBusy', () => {
  const warnings: string[] = [];
  const logger = { warn: (message: string) => void warnings.push(message) };
  beforeEach(() => (warnings.length = 0));

  it('runs the work again while the database is busy, and says once that it waits', async () => {
    const task = failing([deadlock, refusedAsBusy, deadlock]);
    await expect(whileBusy(task.work, { logger, what: 'the seeding' })).resolves.toBe('done');
    expect(task.calls()).toBe(4);
    expect(warnings).toEqual(['The database is busy; the seeding waits for it']);
  });

  it('throws any other failure at once', async () => {
    const task = failing([() => new Error('relation "users" does not exist')]);
    await expect(whileBusy(task.work, { logger, what: 'the seeding' })).rejects.toThrow('relation "users" does not exist');
    expect(task.calls()).toBe(1);
    expect(warnings).toEqual([]);
  });

  it('gives up with the busy failure once its time is over', async () => {
    const task = failing(Array.from({ length: 1000 }, () => refusedAsBusy));
    const started = Date.now();
    await expect(whileBusy(task.work, { logger, what: 'the seeding', withinMs: 300 })).rejects.toMatchObject({ code: ErrorCode.DatabaseBusy });
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(task.calls()).toBeGreaterThan(1);
  });

  it('gives up at once when stopping', async () => {
    const task = failing([deadlock, deadlock]);
    await expect(whileBusy(task.work, { logger, what: 'the repair', stopping: () => true })).rejects.toMatchObject({ code: '40P01' });
    expect(task.calls()).toBe(1);
  });
});

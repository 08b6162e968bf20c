import { Alarm } from './alarm.js';

describe('Alarm', () => {
  it('ends a sleep when woken, long before its time', async () => {
    const alarm = new Alarm();
    const started = Date.now();
    const sleeping = alarm.sleep(10_000);
    setTimeout(() => alarm.wake(), 10);
    await sleeping;
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('ends a sleep on time when nobody wakes it, and a wake with nobody sleeping is not kept for the next sleep', async () => {
    const alarm = new Alarm();
    alarm.wake();
    const started = Date.now();
    await alarm.sleep(50);
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
  });
});

import { Gate } from './gate.js';

describe('Gate', () => {
  const refused = () => new Error('refused');
  /** A task that runs until `finish` is called, and says whether it started. */
  const held = () => {
    let finish!: () => void;
    const done = new Promise<void>((resolve) => (finish = resolve));
    const task = { started: false, finish: () => finish(), run: async () => { task.started = true; await done; } };
    return task;
  };
  const turn = () => new Promise((resolve) => setImmediate(resolve));

  it('runs at most its capacity at once, the others in the order they came', async () => {
    const gate = new Gate(2, 10_000);
    const tasks = [held(), held(), held(), held()];
    const runs = tasks.map((task) => gate.run(task.run, refused));
    await turn();
    expect(tasks.map((t) => t.started)).toEqual([true, true, false, false]);
    tasks[1].finish();
    await turn();
    expect(tasks.map((t) => t.started)).toEqual([true, true, true, false]);
    tasks[0].finish();
    tasks[2].finish();
    await turn();
    expect(tasks[3].started).toBe(true);
    tasks[3].finish();
    await Promise.all(runs);
  });

  it('refuses a task that waited too long, and gives its place to none: the next one still runs', async () => {
    const gate = new Gate(1, 50);
    const first = held();
    const running = gate.run(first.run, refused);
    const late = held();
    await expect(gate.run(late.run, refused)).rejects.toThrow('refused');
    expect(late.started).toBe(false);
    first.finish();
    await running;
    const next = held();
    const runningNext = gate.run(next.run, refused);
    await turn();
    expect(next.started).toBe(true);
    next.finish();
    await runningNext;
  });

  it('frees the place of a task that failed', async () => {
    const gate = new Gate(1, 50);
    await expect(gate.run(async () => { throw new Error('broken'); }, refused)).rejects.toThrow('broken');
    await expect(gate.run(async () => 'ran', refused)).resolves.toBe('ran');
  });
});

/**
 * Lets at most `capacity` tasks run at once; the others wait their turn, first come first served,
 * each for at most `maxWaitMs`. A task that waited that long is not run: `run` answers what
 * `refused()` makes (a 503, say), so that a crowd is turned away instead of queued without end.
 */
export class Gate {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly capacity: number,
    private readonly maxWaitMs: number,
  ) {}

  async run<T>(task: () => Promise<T>, refused: () => Error): Promise<T> {
    if (!(await this.enter())) throw refused();
    try {
      return await task();
    } finally {
      this.leave();
    }
  }

  /** Takes a place; false once `maxWaitMs` passed without one (the waiter is then forgotten). */
  private enter(): Promise<boolean> {
    if (this.running < this.capacity) {
      this.running++;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => {
      const admit = () => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        this.waiting.splice(this.waiting.indexOf(admit), 1);
        resolve(false);
      }, this.maxWaitMs);
      this.waiting.push(admit);
    });
  }

  /** Hands the place on to the longest waiting task, if any. */
  private leave(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.running--;
  }
}

/**
 * A sleep that can be cut short: a background loop waits on `sleep(ms)` between rounds, and `wake()`
 * (new work announced, or shutdown) ends the current wait at once. A wake with nobody sleeping is
 * not remembered: the loop checks for work before it sleeps.
 */
export class Alarm {
  private ring?: () => void;

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      this.ring = done;
      function done() {
        clearTimeout(timer);
        resolve();
      }
    });
  }

  wake(): void {
    const ring = this.ring;
    this.ring = undefined;
    ring?.();
  }
}

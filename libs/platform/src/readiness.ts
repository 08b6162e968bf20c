import { Injectable } from '@nestjs/common';

/**
 * Whether the process can serve: set by the entry point once start-up work that users depend on
 * (migrations, seeding, the demo) is done. `/health` answers 503 until then, so a load balancer or a
 * test waiting on it never sends traffic to a process that is still loading.
 */
@Injectable()
export class Readiness {
  private waitingFor: string | null = 'start-up';

  get ready(): boolean {
    return this.waitingFor === null;
  }

  /** What the process is still doing, or null once ready. */
  get pending(): string | null {
    return this.waitingFor;
  }

  waitFor(what: string): void {
    this.waitingFor = what;
  }

  markReady(): void {
    this.waitingFor = null;
  }
}

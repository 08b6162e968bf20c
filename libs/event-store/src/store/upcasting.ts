import { Injectable } from '@nestjs/common';

/**
 * Turns a stored event's old shape into the next one, on read. Stored events are never rewritten;
 * a chain of upcasters brings any stored version up to the newest.
 */
export interface EventUpcaster {
  type: string;
  fromSchemaVersion: number;
  upcast(data: unknown): { type?: string; data: unknown };
}

@Injectable()
export class UpcasterRegistry {
  private readonly byKey = new Map<string, EventUpcaster>();

  register(...upcasters: EventUpcaster[]): void {
    for (const upcaster of upcasters) {
      const key = `${upcaster.type}@${upcaster.fromSchemaVersion}`;
      if (this.byKey.has(key)) throw new Error(`Two upcasters for ${key}`);
      this.byKey.set(key, upcaster);
    }
  }

  /** Applies every upcaster that matches, in turn, until the event is in its newest shape. */
  upcast<E extends { type: string; schemaVersion: number; data: unknown }>(event: E): E {
    let current = event;
    for (let upcaster = this.find(current); upcaster; upcaster = this.find(current)) {
      const next = upcaster.upcast(current.data);
      current = { ...current, type: next.type ?? current.type, schemaVersion: current.schemaVersion + 1, data: next.data };
    }
    return current;
  }

  private find(event: { type: string; schemaVersion: number }): EventUpcaster | undefined {
    return this.byKey.get(`${event.type}@${event.schemaVersion}`);
  }
}

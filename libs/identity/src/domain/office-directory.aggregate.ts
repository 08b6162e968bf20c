import { assertNever, ensure, showsText } from '@chancery/common';
import { type AggregateDefinition, type DomainEvent, EventSourcedAggregate } from '@chancery/event-store/domain';
import { OFFICE_PATTERN } from './access.js';
import { RESERVED_NAMES } from './need-to-know.js';

export interface Office {
  /** EAP/CM, S/ES-O, L */
  symbol: string;
  name: string;
  /** The bureau it belongs to, to which its overdue work escalates: the symbol's first segment. */
  bureau: string;
}

export type OfficeDirectoryEvent = DomainEvent<'OfficeAdded', Office>;

/** The bureau of an office symbol: its first segment (`EAP/CM` is in EAP, `S/ES-O` in S). */
export function bureauOf(symbol: string): string {
  return symbol.split('/')[0];
}

/**
 * The Department's directory of offices, one stream: it is small and changes rarely, so one
 * aggregate keeps symbols unique without a lock or a read-table constraint.
 */
export class OfficeDirectory extends EventSourcedAggregate<OfficeDirectoryEvent> {
  static readonly ID = 'department';
  readonly offices = new Map<string, Office>();

  /** Adds the offices not in the directory yet; answers those it added. */
  add(offices: readonly Office[]): Office[] {
    const added: Office[] = [];
    // An office's bureau is in the directory, or comes with it: overdue follow-ups it owns escalate
    // to that bureau's front office, and a clearance for the bureau can come from it.
    const known = new Set([...this.offices.keys(), ...offices.map((office) => office.symbol)]);
    for (const office of offices) {
      ensure(OFFICE_PATTERN.test(office.symbol), 'symbol', 'symbol must be an office symbol such as EAP/CM');
      ensure(!RESERVED_NAMES.includes(office.symbol), 'symbol', `${office.symbol} is reserved: it names the Department or a collective`);
      ensure(showsText(office.name), 'name', 'name must not be empty');
      ensure(office.bureau === bureauOf(office.symbol), 'bureau', `the bureau of ${office.symbol} is ${bureauOf(office.symbol)}`);
      if (this.offices.has(office.symbol)) continue;
      ensure(known.has(office.bureau), 'symbol', `${office.symbol} belongs to the bureau ${office.bureau}, which is not in the directory: add the bureau first`);
      this.apply({ type: 'OfficeAdded', data: { ...office, name: office.name.trim() } });
      added.push(office);
    }
    return added;
  }

  protected override evolve(event: OfficeDirectoryEvent): void {
    switch (event.type) {
      case 'OfficeAdded':
        this.offices.set(event.data.symbol, event.data);
        return;
      default:
        assertNever(event.type);
    }
  }
}

export const officeDirectoryDefinition: AggregateDefinition<OfficeDirectory> = {
  streamType: 'offices',
  schemaVersions: { OfficeAdded: 1 },
  blank: (id) => new OfficeDirectory(id),
};

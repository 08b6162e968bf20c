import type { EventUpcaster } from '@chancery/event-store';

/**
 * Older shapes of cable events, brought to today's on read. CableEdited v1 named no editor: it was
 * always the drafter (the event's metadata has their id), so v2 reads it as the drafter's edit with
 * no officer, office or field list recorded.
 */
export const CABLE_UPCASTERS: EventUpcaster[] = [
  { type: 'CableEdited', fromSchemaVersion: 1, upcast: (data) => ({ data: { ...(data as object), by: null, office: null, as: 'drafter', fields: [] } }) },
];

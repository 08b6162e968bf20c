import { UpcasterRegistry } from '@chancery/event-store';
import { confidentialDraft } from '../../../test/fixtures/cable.fixtures.js';
import { CABLE_UPCASTERS } from './cable-upcasters.js';
import { Cable, cableDefinition, type CableEvent } from './domain/cable.aggregate.js';

describe('cable upcasters', () => {
  it('read a CableEdited v1 as the drafter’s edit, and the cable folds it', () => {
    const registry = new UpcasterRegistry();
    registry.declare(cableDefinition.schemaVersions);
    registry.register(...CABLE_UPCASTERS);
    registry.verify();
    const at = '2026-11-29T10:00:00.000Z';
    const draft = { ...confidentialDraft, subject: 'Revised' };
    const upcast = registry.upcast({ type: 'CableEdited', schemaVersion: 1, data: { draft, substantive: true, at } });
    expect(upcast).toEqual({ type: 'CableEdited', schemaVersion: 2, data: { draft, substantive: true, at, by: null, office: null, as: 'drafter', fields: [] } });
    const cable = new Cable('k1');
    const drafted: CableEvent = { type: 'CableDrafted', data: { origin: 'STATE', drafter: { id: 'd1', username: 'jdoe', office: 'EAP/CM' }, draft: confidentialDraft, at } };
    cable.replay([drafted, upcast as CableEvent], 2);
    expect(cable.draft.subject).toBe('Revised');
    expect(cable.edits).toEqual([{ by: null, office: null, as: 'drafter', fields: [], substantive: true, at, writtenUnder: { classification: 'CONFIDENTIAL', captions: ['SIPDIS'], status: 'DRAFT' } }]);
  });
});

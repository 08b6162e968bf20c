import type { CableDraft } from '@chancery/cables/domain';
import { replyDraft } from './reply.js';

const start: CableDraft = {
  kind: 'REPORTING', subject: '', classification: 'UNCLASSIFIED', captions: [], precedence: 'ROUTINE', tags: [],
  actionAddressees: [], infoAddressees: [], references: [], paragraphs: [{ marking: 'U', text: '' }], classifiedBy: null, demarche: null,
};

describe('a reporting cable on a tasking, as it starts', () => {
  it('starts under the tasking\'s markings, since its subject is the tasking\'s own text', () => {
    const tasking = { mrn: '26 STATE 000003', subject: 'Demarche on export-control evasion', classification: 'CONFIDENTIAL' as const, captions: ['NOFORN' as const], subjectMarking: 'C' as const };
    expect(replyDraft(start, tasking, true)).toEqual({
      ...start, subject: 'Reply to 26 STATE 000003: Demarche on export-control evasion', classification: 'CONFIDENTIAL', captions: ['NOFORN'], subjectMarking: 'C',
      actionAddressees: ['SECSTATE'], references: [{ label: 'A', mrn: '26 STATE 000003' }],
    });
  });

  it('keeps an unclassified tasking\'s reply unclassified, a subject within 200 characters, and a Department drafter\'s addressees to choose', () => {
    const reply = replyDraft(start, { mrn: '26 STATE 000001', subject: 'x'.repeat(250), classification: 'UNCLASSIFIED', captions: [] }, false);
    expect(reply).toMatchObject({ classification: 'UNCLASSIFIED', captions: [], actionAddressees: [] });
    expect(reply.subject).toHaveLength(200);
    expect('subjectMarking' in reply).toBe(false);
  });
});

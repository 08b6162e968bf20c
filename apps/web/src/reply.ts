import type { CableDraft } from '@chancery/cables/domain';

/** The tasking a post answers, as the post reads it (`GET /cables/:id`). */
export interface Tasking {
  mrn: string;
  subject: string;
  classification: CableDraft['classification'];
  captions: CableDraft['captions'];
  subjectMarking?: CableDraft['subjectMarking'];
}

/**
 * A reporting cable on a tasking, as its drafter starts it (`start`: a blank draft of theirs): to
 * the Department when a post writes it, citing the tasking as REF A, its subject the tasking's, and
 * under the tasking's markings (classification, captions, the subject's portion marking), since the
 * subject it carries over is the tasking's own text. A drafter who writes nothing that needs them
 * lowers them; starting unclassified would release classified words marked (U).
 */
export function replyDraft(start: CableDraft, tasking: Tasking, fromPost: boolean): CableDraft {
  return {
    ...start,
    subject: `Reply to ${tasking.mrn}: ${tasking.subject}`.slice(0, 200),
    classification: tasking.classification,
    captions: [...tasking.captions],
    ...(tasking.subjectMarking ? { subjectMarking: tasking.subjectMarking } : {}),
    actionAddressees: fromPost ? ['SECSTATE'] : [],
    references: [{ label: 'A', mrn: tasking.mrn }],
  };
}

import type { CableDraft } from './cable-format.js';
import type { RequiredClearance } from './cable.aggregate.js';

/** The Executive Secretariat's operations center, which clears ALDAC and ALLDP instructions. */
export const OPERATIONS_CENTER = 'S/ES-O';

/** The collectives that reach every post (or every diplomatic post). */
const WORLDWIDE = ['ALDAC', 'ALLDP'];

/**
 * 5 FAH-1 H-240, as domain.md puts it: a cable to a collective that tasks posts (an instruction
 * from the Department with a collective among its action addressees) needs the clearance of each
 * regional bureau whose posts it tasks; an ALDAC or ALLDP instruction also needs S/ES-O's.
 * `taskedBureaus`: the bureaus of the posts its action addressees reach (collectives expanded).
 */
export function collectiveTaskingClearances(
  draft: Pick<CableDraft, 'kind' | 'actionAddressees'>,
  origin: string,
  isCollective: (code: string) => boolean,
  taskedBureaus: readonly string[],
): RequiredClearance[] {
  if (origin !== 'STATE' || draft.kind !== 'INSTRUCTION') return [];
  const collectives = draft.actionAddressees.filter(isCollective);
  if (collectives.length === 0) return [];
  const via = collectives.join(', ');
  const required: RequiredClearance[] = [...new Set(taskedBureaus)].sort().map((bureau) => ({ office: bureau, why: `its posts are tasked through ${via}` }));
  const worldwide = collectives.filter((code) => WORLDWIDE.includes(code));
  if (worldwide.length > 0) required.push({ office: OPERATIONS_CENTER, why: `an instruction to ${worldwide.join(', ')}` });
  return required;
}

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
 * `taskedBureaus`: for each action addressee, the bureaus of the posts it tasks (a collective
 * expanded). Each bureau's reason names the collectives that reach its posts; a bureau whose posts
 * the instruction names one by one beside its collectives is needed too, and says so.
 */
export function collectiveTaskingClearances(
  draft: Pick<CableDraft, 'kind' | 'actionAddressees'>,
  origin: string,
  isCollective: (code: string) => boolean,
  taskedBureaus: ReadonlyMap<string, readonly string[]>,
): RequiredClearance[] {
  if (origin !== 'STATE' || draft.kind !== 'INSTRUCTION') return [];
  const collectives = draft.actionAddressees.filter(isCollective);
  if (collectives.length === 0) return [];
  const bureaus = [...new Set(draft.actionAddressees.flatMap((code) => taskedBureaus.get(code) ?? []))].sort();
  const required: RequiredClearance[] = bureaus.map((bureau) => {
    const via = collectives.filter((code) => taskedBureaus.get(code)?.includes(bureau));
    return { office: bureau, why: via.length > 0 ? `its posts are tasked through ${via.join(', ')}` : `its posts are named in an instruction to ${collectives.join(', ')}` };
  });
  const worldwide = collectives.filter((code) => WORLDWIDE.includes(code));
  if (worldwide.length > 0) required.push({ office: OPERATIONS_CENTER, why: `an instruction to ${worldwide.join(', ')}` });
  return required;
}

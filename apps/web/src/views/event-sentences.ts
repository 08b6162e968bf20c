import { words } from '../api.js';

/** `withheld`: the reader may not read the record as it stood after this event; `data` is then null. */
export interface HistoryEntry { version: number; type: string; at: string; actor: string | null; data: Record<string, unknown> | null; withheld?: boolean; post?: string | null }

const str = (value: unknown) => (typeof value === 'string' ? value : value === null || value === undefined ? '' : String(value));
const titleCase = (code: string) => code.charAt(0) + code.slice(1).toLowerCase().replace(/_/g, ' ');
/** Posts by code, for their names ("Embassy Buenos Aires", not "Buenosaires" from the code). */
export type PostNames = ReadonlyMap<string, { name: string }>;

/** An event in a sentence: "Embassy Beijing logged a response: rejected", "L cleared with comments". Posts are named as `directory` names them. */
export function describeEvent(e: HistoryEntry, directory?: PostNames): string {
  const d = e.data;
  if (d === null) {
    const what = e.type.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
    // A delivery's event is withheld for the reporting cable it names; a cable's, for how the cable stood then.
    return e.post
      ? `${directory?.get(e.post)?.name ?? titleCase(e.post)}: ${what} (a cable you may not read; withheld)`
      : `${what.charAt(0).toUpperCase()}${what.slice(1)}: withheld (not yours to read as the cable stood then)`;
  }
  const postName = (code: string) => directory?.get(code)?.name ?? titleCase(code);
  const ownerText = (owner: unknown) => {
    const o = owner as { office?: string; post?: string } | undefined;
    return o?.office ?? (o?.post ? postName(o.post) : '');
  };
  const post = e.post ? postName(e.post) : 'The post';
  const office = str(d.office);
  switch (e.type) {
    case 'CableDrafted': return 'Drafted';
    case 'CableEdited': return d.office ? `Edited for ${office}${d.substantive === false ? ' (no change of substance)' : ''}` : `Edited${d.substantive === false ? ' (no change of substance)' : ''}`;
    case 'ClearancesRequested': return `Clearance asked of ${(d.offices as string[] | undefined)?.join(', ') ?? ''}`;
    case 'ClearanceRequestWithdrawn': return `Clearance request to ${office} withdrawn`;
    case 'ClearanceGranted': return `${office} cleared`;
    case 'ClearanceGrantedWithComments': return `${office} cleared with comments: “${str(d.comments)}”`;
    case 'ClearanceNonConcurred': return `${office} did not concur: “${str(d.comments)}”`;
    case 'ClearancesMadeStale': return `An edit made the clearance of ${(d.offices as string[] | undefined)?.join(', ') ?? ''} stale`;
    case 'CableSubmitted': return 'Submitted for approval';
    case 'CableApproved': return 'Approved';
    case 'CableReturned': return `Returned to the drafter: “${str(d.reason)}”`;
    case 'CableReleased': return `Released as ${str(d.mrn)}`;
    case 'CableCancelled': return `Cancelled: “${str(d.reason)}”`;
    case 'CampaignOpened': {
      const tasked = (d.posts as unknown[] | undefined)?.length;
      return `Campaign opened: ${tasked ?? 'its'} ${tasked === 1 ? 'post' : 'posts'} tasked`;
    }
    case 'DemarcheDelivered': {
      const c = d.counterpart as { name?: string; title?: string; organization?: string } | undefined;
      return `${post} delivered the demarche${c?.name ? ` to ${c.name}${c.title ? `, ${c.title}` : ''}${c.organization ? `, ${c.organization}` : ''}` : ''}${d.method ? ` (${words(str(d.method))})` : ''}`;
    }
    case 'ContactLogged':
    case 'ContactRecorded': {
      const c = d.counterpart as { name?: string } | undefined;
      return `${post} met ${c?.name ?? 'a counterpart'}${d.method ? ` (${words(str(d.method))})` : ''}`;
    }
    // A correction is said as one: read as a new answer, the last sentence would pass for the post's latest position.
    case 'ResponseLogged': return d.corrects ? `${post} corrected response ${str(d.corrects)}: ${words(str(d.position))}` : `${post} logged a response: ${words(str(d.position))}`;
    case 'ReportingCableAttached': return `${post} named the reporting cable of response ${str(d.response)}`;
    case 'DemarcheNotDelivered': return `${post} could not deliver: “${str(d.reason)}”`;
    case 'DeliveryBecameOverdue': return `${post} passed the report-by date without reporting`;
    case 'DocumentAttached':
    case 'DocumentUploaded': return `${post} attached ${words(str(d.kind)) || 'a document'}${d.name ? `: ${str(d.name)}` : ''}`;
    case 'FollowUpCreated': return `Created for ${ownerText(d.owner)}, due ${str(d.dueOn)}${d.writtenUnderDraft ? ', on a draft: read by the cable’s working party only' : ''}`;
    case 'FollowUpEdited': return 'Title or description edited';
    case 'FollowUpReassigned': return `Reassigned to ${ownerText(d.owner)}`;
    case 'FollowUpDueDateChanged': return `Due date moved from ${str(d.previous)} to ${str(d.dueOn)}`;
    case 'FollowUpStarted': return 'Work started';
    case 'FollowUpCompleted': return `Completed: “${str(d.outcome)}”`;
    case 'FollowUpCancelled': return `Cancelled: “${str(d.reason)}”`;
    case 'FollowUpCommented': return `Comment: “${str(d.text)}”`;
    case 'FollowUpClassificationRaised': return `Marked ${str(d.classification)} (was ${str(d.previous)}): what it is linked to was so marked when text was written on it`;
    case 'FollowUpWrittenUnderDraft': return 'Written on a draft: read by the cable’s working party only, as the draft is';
    case 'FollowUpBecameOverdue': return `Became overdue (due ${str(d.dueOn)})`;
    case 'FollowUpEscalated': return `Escalated to ${str(d.to)}`;
    case 'FollowUpEscalationResolved': return 'Escalation resolved: a new owner or due date given';
    // A type this page does not know (a newer server's): its name in words.
    default: return e.type.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/^./, (c) => c.toUpperCase());
  }
}


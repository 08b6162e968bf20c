import { calendarDateMessage, CONTROL_CHARACTERS, ensure, isCalendarDate, LINE_OR_ORDER_BREAKING, showsText } from '@chancery/common';
import { scopedPosts } from '@chancery/demarches/domain';
import type { Classification, Clearance } from '@chancery/identity/domain';
import { tagKind, unknownTagMessage } from './tags.js';
// The one function, not all of validator (the web app bundles these rules); a CommonJS module whose
// default export TypeScript sees as `.default`, which the module also carries.
import isLengthModule from 'validator/lib/isLength.js';

const isLength = isLengthModule.default;

export * from './tags.js';

/** The vocabulary of a cable's anatomy, and the rules each part must satisfy on its own. */

export const CABLE_KINDS = ['INSTRUCTION', 'REPORTING', 'INFORMATIONAL'] as const;

/** The kinds a cable may be by where it comes from: posts report and inform, the Department instructs and informs. */
export function cableKindsFrom(origin: 'post' | 'department'): readonly CableKind[] {
  return origin === 'post' ? ['REPORTING', 'INFORMATIONAL'] : ['INSTRUCTION', 'INFORMATIONAL'];
}
export type CableKind = (typeof CABLE_KINDS)[number];

export const PRECEDENCES = ['ROUTINE', 'IMMEDIATE', 'NIACT_IMMEDIATE', 'FLASH'] as const;
export type Precedence = (typeof PRECEDENCES)[number];

export const PORTION_MARKINGS = ['U', 'SBU', 'C', 'S', 'TS'] as const;
export type PortionMarking = (typeof PORTION_MARKINGS)[number];

const MARKING_LEVEL: Record<PortionMarking, number> = { U: 0, SBU: 1, C: 2, S: 3, TS: 4 };
const CLASSIFICATION_LEVEL: Record<Classification, number> = { UNCLASSIFIED: 0, SBU: 1, CONFIDENTIAL: 2, SECRET: 3, TOP_SECRET: 4 };

/** The portion marking of the cable's own classification: the highest a portion of it may carry. */
export function portionMarkingOf(classification: Classification): PortionMarking {
  return PORTION_MARKINGS[CLASSIFICATION_LEVEL[classification]];
}

/** Whether a paragraph so marked may appear in a cable of this overall classification. */
export function markingFits(marking: PortionMarking, classification: Classification): boolean {
  return MARKING_LEVEL[marking] <= CLASSIFICATION_LEVEL[classification];
}

export function isClassified(classification: Classification): boolean {
  return CLASSIFICATION_LEVEL[classification] >= CLASSIFICATION_LEVEL.CONFIDENTIAL;
}

/** Channel captions narrow distribution; a message carries at most one. */
export const CHANNEL_CAPTIONS = ['NODIS', 'EXDIS', 'LIMDIS'] as const;
export const CAPTIONS = [...CHANNEL_CAPTIONS, 'NOFORN', 'SIPDIS'] as const;
export type Caption = (typeof CAPTIONS)[number];

/**
 * The captions of a record marked by several messages (a follow-up by its campaign and the cable it
 * links): each once, under the captions' own rules: one channel caption, the most restrictive
 * (NODIS, then EXDIS, then LIMDIS), and no SIPDIS beside NODIS or EXDIS. In alphabetical order.
 */
export function combinedCaptions(...lists: readonly (readonly string[])[]): string[] {
  const all = new Set(lists.flat());
  const channel = CHANNEL_CAPTIONS.find((c) => all.has(c));
  for (const c of CHANNEL_CAPTIONS) if (c !== channel) all.delete(c);
  if (channel === 'NODIS' || channel === 'EXDIS') all.delete('SIPDIS');
  return [...all].sort();
}

/** Executive Order 13526, section 1.4: the categories of information that may be classified. */
export const CLASSIFICATION_REASONS = ['1.4(a)', '1.4(b)', '1.4(c)', '1.4(d)', '1.4(e)', '1.4(f)', '1.4(g)', '1.4(h)'] as const;

/**
 * EO 13526 section 3.3 exemptions from automatic declassification at 25 years: 25X1 to 25X9 keep
 * information classified up to 50 years; 50X1-HUM (a confidential human source) and 50X2-WMD (key
 * design concepts of weapons of mass destruction) up to 75 years.
 */
export const DECLASSIFICATION_EXEMPTIONS = ['25X1', '25X2', '25X3', '25X4', '25X5', '25X6', '25X7', '25X8', '25X9', '50X1-HUM', '50X2-WMD'] as const;
export type DeclassificationExemption = (typeof DECLASSIFICATION_EXEMPTIONS)[number];

/** Channel and handling captions that only classified or SBU traffic carries. */
export const SENSITIVE_ONLY_CAPTIONS = ['NODIS', 'EXDIS', 'NOFORN'] as const;

export interface ClassificationAuthority {
  name: string;
  title: string;
  office: string;
  /** EO 13526 section 1.4 categories; empty for a derivative classification. */
  reasons: string[];
  /** A derivative classification names its source (a cable's MRN, a classification guide) instead of reasons. */
  derivedFrom?: string;
  /** YYYY-MM-DD, or an event ("End of the negotiations") on which the information is declassified. */
  declassifyOn: string;
  /** An EO 13526 section 3.3 exemption, which allows a declassification date beyond 25 years. */
  exemption?: DeclassificationExemption;
}

export interface Paragraph {
  marking: PortionMarking;
  text: string;
}

export interface Reference {
  label: string;
  mrn: string;
}

export interface DemarcheInstructions {
  /** YYYY-MM-DD: when posts must have reported. */
  reportBy: string;
  /** Whom to see: "Foreign ministry, director-general level". */
  targets: string;
  /** Paragraph numbers (1-based) that hold the points to make. */
  points: number[];
  /** Which addressed posts it tasks: of these kinds, only these posts, all but these (absent: every open action post). */
  scope?: DemarcheScope | null;
}

export const SCOPE_POST_KINDS = ['EMBASSY', 'CONSULATE_GENERAL', 'CONSULATE', 'MISSION'] as const;
export interface DemarcheScope {
  kinds?: (typeof SCOPE_POST_KINDS)[number][];
  posts?: string[];
  excludePosts?: string[];
}

/** Everything a drafter writes. */
export interface CableDraft {
  kind: CableKind;
  subject: string;
  /** The subject line's own portion mark; (U) when absent (drafts stored before it existed). */
  subjectMarking?: PortionMarking;
  classification: Classification;
  captions: Caption[];
  precedence: Precedence;
  tags: string[];
  actionAddressees: string[];
  infoAddressees: string[];
  references: Reference[];
  paragraphs: Paragraph[];
  classifiedBy: ClassificationAuthority | null;
  demarche: DemarcheInstructions | null;
}

/** What the rules need to know of the world outside the cable. */
export interface DraftingWorld {
  /** Today, UTC, YYYY-MM-DD. */
  today: string;
  /** An open post or a collective that may be addressed. */
  isAddressable(code: string): boolean;
  /** A released cable's MRN. */
  isReleasedMrn(mrn: string): boolean;
  /**
   * Whether an addressee (a post, or a collective holding it) reaches a post (`networkReach`, for the
   * server and the web app alike). A client that does not know the post network leaves it out, and a
   * demarche's scope is then not checked against the addressees.
   */
  reaches?(addressee: string, post: string): boolean;
  /** The posts an addressee reaches now: a collective's members, a post itself (like `reaches`). */
  postsOf?(addressee: string): readonly string[];
  /** The posts a demarche addressed to `actionAddressees` with `scope` would task, as the network stands (like `reaches`). */
  tasks?(actionAddressees: readonly string[], scope: DemarcheScope): string[];
  /** Whether the author's post is closed (server only): a closed post drafts no cables. */
  isClosed?(post: string): boolean;
  /** The cable's drafter's clearance now, where an edit is judged (server only; null: gone). */
  drafterClearance?: Clearance | null;
}

/**
 * The part of a `DraftingWorld` the post network decides, from each collective's open posts
 * (`members`) and each open post's kind (`kinds`): the one reading of it, for the server's commands
 * and the web app's rules as typed.
 */
export function networkReach(members: ReadonlyMap<string, ReadonlySet<string>>, kinds: ReadonlyMap<string, string>): Required<Pick<DraftingWorld, 'reaches' | 'postsOf' | 'tasks'>> {
  const postsOf = (addressee: string): string[] => [...(members.get(addressee) ?? (kinds.has(addressee) ? [addressee] : []))];
  return {
    reaches: (addressee, post) => addressee === post || (members.get(addressee)?.has(post) ?? false),
    postsOf,
    tasks: (addressees, scope) => scopedPosts([...new Set(addressees.flatMap(postsOf))].flatMap((code) => (kinds.has(code) ? [{ code, kind: kinds.get(code)! }] : [])), scope),
  };
}

export const MRN_PATTERN = /^(\d{2}) ([A-Z]{3,24}) (\d{6})$/;

/** `26STATE123` or `26 STATE 000123`, as the stored form `26 STATE 000123`. */
export function fullMrn(mrn: string): string {
  const text = mrn.trim().toUpperCase();
  const compact = /^(\d{2})\s*([A-Z]{3,24})\s*(\d{1,6})$/.exec(text);
  return compact ? `${compact[1]} ${compact[2]} ${compact[3].padStart(6, '0')}` : text;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** The subject line's portion mark: (U) unless the drafter marks it otherwise. */
export function subjectMarkingOf(draft: Pick<CableDraft, 'subjectMarking'>): PortionMarking {
  return draft.subjectMarking ?? 'U';
}

/** Whether declassifyOn names a date (else it names an event). */
export function isDeclassificationDate(declassifyOn: string): boolean {
  return DATE.test(declassifyOn);
}

/** How far out a declassification date may be: 25 years, 50 with a 25X exemption, 75 with a 50X one. */
function declassificationHorizon(exemption: DeclassificationExemption | undefined): number {
  if (!exemption) return 25;
  return exemption.startsWith('50X') ? 75 : 50;
}

function addYears(date: string, years: number): string {
  const [y, m, d] = date.split('-').map(Number);
  return `${String(y + years).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** Checks a draft against every rule that concerns its content; throws the first that fails. */
export function validateDraft(draft: CableDraft, world: DraftingWorld): void {
  // Counted in characters as the request's validation (class-validator's MaxLength) counts them:
  // an emoji is one, with its presentation selector too.
  ensure(showsText(draft.subject) && isLength(draft.subject, { max: 200 }), 'subject', 'subject must be 1 to 200 characters, not only spaces or invisible ones');
  ensure(!CONTROL_CHARACTERS.test(draft.subject), 'subject', 'subject must not hold control characters (a line break, an escape)');
  ensure(!LINE_OR_ORDER_BREAKING.test(draft.subject), 'subject', 'subject must not hold a line or paragraph separator, or a bidirectional control (U+2028, U+2029, U+202A to U+202E, U+2066 to U+2069)');
  // The telegram prints the classification authority block too.
  for (const [key, value] of Object.entries(draft.classifiedBy ?? {})) {
    if (typeof value === 'string') ensure(!CONTROL_CHARACTERS.test(value), `classifiedBy.${key}`, `classifiedBy.${key} must not hold control characters`);
  }
  if (draft.subjectMarking !== undefined) {
    ensure(PORTION_MARKINGS.includes(draft.subjectMarking), 'subjectMarking', `the subject line's portion marking is one of ${PORTION_MARKINGS.join(', ')}`);
    ensure(
      markingFits(draft.subjectMarking, draft.classification),
      'subjectMarking',
      `the subject line is marked (${draft.subjectMarking}), above the cable's overall ${draft.classification}`,
    );
  }
  ensure(CABLE_KINDS.includes(draft.kind), 'kind', `kind must be one of ${CABLE_KINDS.join(', ')}`);
  ensure(PRECEDENCES.includes(draft.precedence), 'precedence', `precedence must be one of ${PRECEDENCES.join(', ')}`);

  ensure(draft.paragraphs.length > 0, 'paragraphs', 'a cable needs at least one paragraph');
  draft.paragraphs.forEach((paragraph, index) => {
    const field = `paragraphs[${index}]`;
    ensure(PORTION_MARKINGS.includes(paragraph.marking), `${field}.marking`, `paragraph ${index + 1} needs a portion marking: ${PORTION_MARKINGS.join(', ')}`);
    ensure(showsText(paragraph.text), `${field}.text`, `paragraph ${index + 1} is empty (only spaces or invisible characters)`);
    // A telegram is text: line breaks and tabs are words' spacing; other control characters (an
    // escape, a bell) would reach every reader's terminal and printer as they are.
    ensure(!CONTROL_CHARACTERS.test(paragraph.text.replace(/[\n\r\t]/g, ' ')), `${field}.text`, `paragraph ${index + 1} holds a control character`);
    ensure(
      markingFits(paragraph.marking, draft.classification),
      `${field}.marking`,
      `paragraph ${index + 1} is marked (${paragraph.marking}), above the cable's overall ${draft.classification}`,
    );
  });

  for (const caption of draft.captions) ensure(CAPTIONS.includes(caption), 'captions', `unknown caption ${caption}; known: ${CAPTIONS.join(', ')}`);
  ensure(new Set(draft.captions).size === draft.captions.length, 'captions', 'captions must not repeat');
  const channels = draft.captions.filter((c) => (CHANNEL_CAPTIONS as readonly string[]).includes(c));
  ensure(channels.length <= 1, 'captions', `only one channel caption per message, not ${channels.join(' and ')}`);
  ensure(
    !(draft.captions.includes('SIPDIS') && (draft.captions.includes('NODIS') || draft.captions.includes('EXDIS'))),
    'captions',
    'SIPDIS never goes with NODIS or EXDIS',
  );
  if (draft.classification === 'UNCLASSIFIED') {
    const sensitive = draft.captions.filter((c) => (SENSITIVE_ONLY_CAPTIONS as readonly string[]).includes(c));
    ensure(
      sensitive.length === 0,
      'captions',
      `${sensitive.join(' and ')} ${sensitive.length === 1 ? 'applies' : 'apply'} only to classified or SBU traffic, not to a plain UNCLASSIFIED cable; mark it SBU or classify it`,
    );
  }

  if (draft.precedence === 'NIACT_IMMEDIATE') {
    // Justified: paragraph 1 names the precedence and says why (the word alone says nothing of it).
    const first = draft.paragraphs[0]?.text ?? '';
    const reasons = first.replace(/\bNIACT\b|\bIMMEDIATE\b/gi, ' ').split(/\s+/).filter((word) => /\p{L}/u.test(word));
    ensure(/\bNIACT\b/i.test(first) && reasons.length >= 3, 'paragraphs[0].text', 'a NIACT IMMEDIATE cable says in paragraph 1 why it needs action at any hour, naming NIACT: "NIACT: the vote is at 0900 tomorrow"');
  }

  for (const tag of draft.tags) ensure(tagKind(tag) !== undefined, 'tags', unknownTagMessage(tag));
  ensure(new Set(draft.tags).size === draft.tags.length, 'tags', 'tags must not repeat');
  ensure(draft.tags.some((tag) => tagKind(tag) === 'subject'), 'tags', 'a cable needs at least one subject tag, such as PREL');

  ensure(draft.actionAddressees.length > 0, 'actionAddressees', 'a cable needs at least one action addressee');
  for (const [field, list] of [['actionAddressees', draft.actionAddressees], ['infoAddressees', draft.infoAddressees]] as const) {
    for (const code of list) ensure(world.isAddressable(code), field, `${code} is not an open post or a collective`);
    const repeated = [...new Set(list.filter((code, index) => list.indexOf(code) !== index))];
    ensure(repeated.length === 0, field, `${field} must not repeat: ${repeated.join(', ')}`);
  }
  const both = draft.actionAddressees.filter((code) => draft.infoAddressees.includes(code));
  ensure(both.length === 0, 'infoAddressees', `${both.join(', ')} cannot be both an action and an info addressee`);
  // Nor through a collective: a post an action collective holds is tasked, and its telegram's INFO
  // line would say otherwise (the distribution counts it for action).
  // Nor a collective for information whose every post is an action addressee: it would inform no
  // one, and its INFO line would say otherwise. (One that also holds other posts informs those.)
  if (world.reaches) {
    const forAction = (post: string) => draft.actionAddressees.some((action) => world.reaches!(action, post));
    for (const info of draft.infoAddressees) {
      const through = draft.actionAddressees.find((action) => world.reaches!(action, info));
      ensure(through === undefined, 'infoAddressees', `${info} is an action addressee through ${through}: name it for information only where no action addressee reaches it`);
      const posts = world.postsOf?.(info) ?? [];
      ensure(posts.length === 0 || !posts.every(forAction), 'infoAddressees', `every post ${info} holds is an action addressee: it would inform no one`);
    }
  }

  const labels = new Set<string>();
  const cited = new Map<string, string>();
  for (const [i, reference] of draft.references.entries()) {
    ensure(/^[A-Z]$/.test(reference.label) && !labels.has(reference.label), 'references', 'REF labels are single letters, each used once');
    // Telegrams letter their REFs A, B, C… in the order they cite them.
    const due = String.fromCharCode(65 + i);
    ensure(reference.label === due, 'references', `REFs are lettered A, B, C… in order: REF ${reference.label} (${reference.mrn}) is REF ${due}`);
    labels.add(reference.label);
    // A compact or lower-case MRN is told how it is written (`26STATE123`: write it 26 STATE 000123).
    const written = fullMrn(reference.mrn);
    ensure(MRN_PATTERN.test(reference.mrn), 'references', `${reference.mrn} is not an MRN like 26 STATE 000123${MRN_PATTERN.test(written) ? `: write it ${written}` : ''}`);
    ensure(!cited.has(reference.mrn), 'references', `${reference.mrn} is cited twice, as REF ${cited.get(reference.mrn)} and REF ${reference.label}`);
    cited.set(reference.mrn, reference.label);
    ensure(world.isReleasedMrn(reference.mrn), 'references', `REF ${reference.label} (${reference.mrn}) is not a released cable`);
  }

  if (isClassified(draft.classification)) {
    const authority = draft.classifiedBy;
    ensure(authority !== null, 'classifiedBy', `a ${draft.classification} cable needs a classification authority block`);
    ensure(showsText(authority.name) && showsText(authority.title) && showsText(authority.office), 'classifiedBy', 'the classification authority block names who classified it: name, title, office');
    const reasons = authority.reasons ?? [];
    if (authority.derivedFrom !== undefined) {
      ensure(showsText(authority.derivedFrom), 'classifiedBy.derivedFrom', 'a derivative classification names the source it is derived from');
      ensure(reasons.length === 0, 'classifiedBy.reasons', 'a derivative classification says what it is derived from instead of naming reasons');
    } else {
      ensure(reasons.length > 0, 'classifiedBy.reasons', 'classification needs at least one reason from EO 13526 section 1.4, or, for a derivative classification, the source it is derived from');
    }
    ensure(new Set(reasons).size === reasons.length, 'classifiedBy.reasons', 'reasons must not repeat');
    for (const reason of reasons) {
      ensure((CLASSIFICATION_REASONS as readonly string[]).includes(reason), 'classifiedBy.reasons', `${reason} is not an EO 13526 section 1.4 category (1.4(a) to 1.4(h))`);
    }
    const exemption = authority.exemption;
    if (exemption !== undefined) {
      ensure(DECLASSIFICATION_EXEMPTIONS.includes(exemption), 'classifiedBy.exemption', `exemption must be one of ${DECLASSIFICATION_EXEMPTIONS.join(', ')} (EO 13526 section 3.3)`);
    }
    if (isDeclassificationDate(authority.declassifyOn) || /^\d/.test(authority.declassifyOn)) {
      const horizon = declassificationHorizon(exemption);
      ensure(
        isCalendarDate(authority.declassifyOn),
        'classifiedBy.declassifyOn',
        isDeclassificationDate(authority.declassifyOn) ? calendarDateMessage('declassifyOn', authority.declassifyOn) : 'declassifyOn must be a date, YYYY-MM-DD, or the event that ends classification',
      );
      ensure(authority.declassifyOn > world.today, 'classifiedBy.declassifyOn', 'declassifyOn must be in the future');
      ensure(
        authority.declassifyOn <= addYears(world.today, horizon),
        'classifiedBy.declassifyOn',
        exemption ? `with exemption ${exemption}, declassifyOn may be at most ${horizon} years out` : 'declassifyOn may be at most 25 years out (more only with a 25X or 50X exemption)',
      );
    } else {
      const event = authority.declassifyOn.trim();
      ensure(showsText(event) && isLength(event, { min: 3, max: 200 }), 'classifiedBy.declassifyOn', 'declassifyOn must be a date, YYYY-MM-DD, or the event that ends classification (3 to 200 characters)');
    }
  } else {
    ensure(draft.classifiedBy === null, 'classifiedBy', `an ${draft.classification} cable carries no classification authority block`);
  }

  if (draft.demarche) {
    ensure(draft.kind === 'INSTRUCTION', 'demarche', 'only an instruction cable carries a demarche');
    ensure(isCalendarDate(draft.demarche.reportBy), 'demarche.reportBy', calendarDateMessage('reportBy', draft.demarche.reportBy));
    ensure(draft.demarche.reportBy >= world.today, 'demarche.reportBy', 'reportBy must be today or later');
    ensure(showsText(draft.demarche.targets), 'demarche.targets', 'say whom posts should see');
    ensure(draft.demarche.points.length > 0, 'demarche.points', 'name the paragraphs with the points to make');
    ensure(new Set(draft.demarche.points).size === draft.demarche.points.length, 'demarche.points', 'points must not repeat');
    for (const point of draft.demarche.points) {
      // (A point typed as no number reaches the rule as NaN from the web form: said in words, not as NaN.)
      ensure(Number.isInteger(point), 'demarche.points', 'points are the numbers of paragraphs of this cable, such as 2, 3');
      ensure(point >= 1 && point <= draft.paragraphs.length, 'demarche.points', `point ${point} is not a paragraph of this cable`);
    }
    const scope = draft.demarche.scope;
    if (scope) {
      // An empty list would read as "none" to its writer and task every post: said, not guessed.
      ensure(!scope.kinds || scope.kinds.length > 0, 'demarche.scope.kinds', 'kinds names at least one kind of post; leave it out to task every kind');
      ensure(!scope.posts || scope.posts.length > 0, 'demarche.scope.posts', 'posts names at least one post; leave it out to task every action post');
      for (const kind of scope.kinds ?? []) ensure((SCOPE_POST_KINDS as readonly string[]).includes(kind), 'demarche.scope.kinds', `${kind} is not a kind of post (${SCOPE_POST_KINDS.join(', ')})`);
      for (const field of ['posts', 'excludePosts'] as const) {
        for (const code of scope[field] ?? []) {
          ensure(world.isAddressable(code), `demarche.scope.${field}`, `${code} is not an open post`);
          // A scope chooses among the posts the cable tasks: naming another tasks (or spares) nobody.
          const reaches = world.reaches;
          if (reaches) ensure(draft.actionAddressees.some((addressee) => reaches(addressee, code)), `demarche.scope.${field}`, `${code} is not among the posts the cable is addressed to for action`);
        }
      }
      for (const field of ['kinds', 'posts', 'excludePosts'] as const) {
        const named: readonly string[] = scope[field] ?? [];
        ensure(new Set(named).size === named.length, `demarche.scope.${field}`, `${field} must not repeat`);
      }
      const both = (scope.posts ?? []).filter((code) => scope.excludePosts?.includes(code));
      ensure(both.length === 0, 'demarche.scope', `${both.join(', ')} cannot be both tasked and excluded`);
      // A scope that leaves no post to task would release an instruction that opens no campaign.
      if (world.tasks) ensure(world.tasks(draft.actionAddressees, scope).length > 0, 'demarche.scope', 'the scope leaves no post to task among those the cable is addressed to for action');
    }
  }
}

/**
 * A draft as it is meant: a scope saved before empty `kinds` or `posts` lists were refused read an
 * empty list as no filter (every kind, every action post), and is read so still, without the list,
 * so that the draft's next edit is not refused for what its writer could not see.
 */
export function draftAsMeant(draft: CableDraft): CableDraft {
  const scope = draft.demarche?.scope;
  if (!scope || (scope.kinds?.length !== 0 && scope.posts?.length !== 0)) return draft;
  const { kinds, posts, ...rest } = scope;
  const meant = { ...rest, ...(kinds?.length ? { kinds } : {}), ...(posts?.length ? { posts } : {}) };
  return { ...draft, demarche: { ...draft.demarche!, scope: meant } };
}

/** The parts of a draft whose change alters what a clearing office agreed to. */
export function substanceOf(draft: CableDraft): string {
  const squash = (text: string) => text.replace(/\s+/g, ' ').trim();
  return JSON.stringify({
    kind: draft.kind,
    subject: squash(draft.subject),
    subjectMarking: subjectMarkingOf(draft),
    classification: draft.classification,
    captions: [...draft.captions].sort(),
    tags: [...draft.tags].sort(),
    actionAddressees: [...draft.actionAddressees].sort(),
    infoAddressees: [...draft.infoAddressees].sort(),
    references: draft.references,
    paragraphs: draft.paragraphs.map((p) => ({ marking: p.marking, text: squash(p.text) })),
    classifiedBy: draft.classifiedBy,
    demarche: draft.demarche,
  });
}

/** `26 STATE 000123` */
export function formatMrn(year: number, originator: string, serial: number): string {
  return `${String(year % 100).padStart(2, '0')} ${originator} ${String(serial).padStart(6, '0')}`;
}

/** `26STATE123`, as public archives write it. */
export function compactMrn(mrn: string): string {
  const match = MRN_PATTERN.exec(mrn);
  if (!match) throw new Error(`Not an MRN: ${mrn}`);
  return `${match[1]}${match[2]}${Number(match[3])}`;
}

/** The months as a telegram writes them in full (`REPORT … BY DECEMBER 15, 2026`); a date-time group takes their first three letters. */
export const MONTHS = ['JANUARY', 'FEBRUARY', 'MARCH', 'APRIL', 'MAY', 'JUNE', 'JULY', 'AUGUST', 'SEPTEMBER', 'OCTOBER', 'NOVEMBER', 'DECEMBER'] as const;

/** The date-time group of a transmission, in UTC: `140935Z AUG 26`. */
export function dateTimeGroup(instant: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(instant.getUTCDate())}${pad(instant.getUTCHours())}${pad(instant.getUTCMinutes())}Z ${MONTHS[instant.getUTCMonth()].slice(0, 3)} ${pad(instant.getUTCFullYear() % 100)}`;
}

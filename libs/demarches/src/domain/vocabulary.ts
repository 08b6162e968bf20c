/** The words a delivery is recorded in: shared by the aggregate, the API's validation and the web app. */
export const LEVELS = ['MINISTER', 'VICE_MINISTER', 'DIRECTOR_GENERAL', 'DIRECTOR', 'WORKING_LEVEL'] as const;
export type Level = (typeof LEVELS)[number];
export const METHODS = ['IN_PERSON', 'VIRTUAL', 'PHONE', 'DIPLOMATIC_NOTE', 'AIDE_MEMOIRE', 'NON_PAPER'] as const;
export type Method = (typeof METHODS)[number];
export const POSITIONS = ['SUPPORTIVE', 'RECEPTIVE', 'NONCOMMITTAL', 'OPPOSED', 'REJECTED'] as const;
export type Position = (typeof POSITIONS)[number];
/** What a post may leave behind and upload: a non-paper, an aide-mémoire, a diplomatic note, or other. */
export const DOCUMENT_KINDS = ['NON_PAPER', 'AIDE_MEMOIRE', 'DIPLOMATIC_NOTE', 'OTHER'] as const;
export type DocumentKind = (typeof DOCUMENT_KINDS)[number];

/** Which of the addressed posts a demarche tasks (`demarche.scope` in the instruction); absent: all of them. */
export interface CampaignScope {
  kinds?: string[];
  posts?: string[];
  excludePosts?: string[];
}

/**
 * The posts a campaign tasks: the cable's open action posts, narrowed by the scope. `posts` keeps
 * only the posts named, `kinds` only posts of those kinds ("embassies only"), `excludePosts` takes
 * posts out; together, a post must pass each.
 */
export function scopedPosts(actionPosts: readonly { code: string; kind: string }[], scope: CampaignScope | null | undefined): string[] {
  return actionPosts
    .filter((p) => !scope?.kinds?.length || scope.kinds.includes(p.kind))
    .filter((p) => !scope?.posts?.length || scope.posts.includes(p.code))
    .filter((p) => !scope?.excludePosts?.includes(p.code))
    .map((p) => p.code);
}

/** What a quote's language must be, said the same by the API, the aggregate and the web app's form. */
export const LANGUAGE_TAG_RULE = 'language is a BCP 47 tag such as zh or zh-Hans';

/**
 * A quote's language as a BCP 47 tag in its canonical form (`EN` is `en`, `zh-hans` is `zh-Hans`:
 * BCP 47 tags are compared whatever their case), or undefined when it is none: not well-formed to
 * `Intl.getCanonicalLocales`, or not headed by a two- or three-letter language code (`Chinese` is a
 * well-formed tag of a language no registry has).
 */
export function languageTag(tag: string): string | undefined {
  let canonical: string;
  try {
    [canonical] = Intl.getCanonicalLocales(tag.trim());
  } catch {
    return undefined;
  }
  return canonical !== undefined && /^[a-z]{2,3}(-[A-Za-z0-9]{1,8})*$/.test(canonical) ? canonical : undefined;
}

// A CommonJS module: under Node's ESM loader only its default export is there to import.
import countries from 'i18n-iso-countries';
import { fipsOfIso, isCountryTagOf } from '@chancery/cables/domain';
import { ChanceryError, ensure, ErrorCode, showsText } from '@chancery/common';
import { RESERVED_NAMES } from '@chancery/identity/domain';
import { type AggregateDefinition, type DomainEvent, EventSourcedAggregate } from '@chancery/event-store/domain';

export const POST_KINDS = ['EMBASSY', 'CONSULATE_GENERAL', 'CONSULATE', 'MISSION'] as const;
export type PostKind = (typeof POST_KINDS)[number];
export const BUREAUS = ['AF', 'EAP', 'EUR', 'NEA', 'SCA', 'WHA', 'IO'] as const;
export type Bureau = (typeof BUREAUS)[number];
export const POST_STATUSES = ['OPEN', 'SUSPENDED', 'CLOSED'] as const;
export type PostStatus = (typeof POST_STATUSES)[number];

export const POST_CODE_PATTERN = /^[A-Z]{3,24}$/;
/** Codes a post may not take: the Department's and the collectives' (see `RESERVED_NAMES`). */
export const RESERVED_CODES = RESERVED_NAMES;
const COUNTRY_PATTERN = /^[A-Z]{2}$/;

export interface PostFacts {
  code: string;
  name: string;
  kind: PostKind;
  city: string;
  country: string;
  countryTag: string;
  bureau: Bureau;
}

export type PostEvent =
  | DomainEvent<'PostEstablished', PostFacts>
  | DomainEvent<'PostRenamed', { name: string }>
  | DomainEvent<'ChiefOfMissionNamed', { name: string | null }>
  | DomainEvent<'PostSuspended', { reason: string }>
  | DomainEvent<'PostReopened', Record<string, never>>
  | DomainEvent<'PostClosed', { reason: string }>;

type Of<T extends PostEvent['type']> = Extract<PostEvent, { type: T }>;

/** An embassy, consulate or mission, as it is established, renamed, suspended, reopened, closed. */
export class Post extends EventSourcedAggregate<PostEvent> {
  facts: PostFacts;
  status: PostStatus = 'OPEN';
  /** The ambassador or principal officer (or chargé) who signs the post's cables; null when not recorded. */
  chiefOfMission: string | null = null;

  static establish(facts: PostFacts): Post {
    ensure(POST_CODE_PATTERN.test(facts.code), 'code', 'code must be 3 to 24 capital letters, as in MRNs (BEIJING, USUNNEWYORK)');
    ensure(showsText(facts.name), 'name', 'name must not be empty');
    ensure(showsText(facts.city), 'city', 'city must not be empty');
    const cityProblem = designatorCityProblem(facts.city);
    ensure(cityProblem === undefined, 'city', cityProblem ?? '');
    ensure(POST_KINDS.includes(facts.kind), 'kind', `kind must be one of ${POST_KINDS.join(', ')}`);
    ensure(BUREAUS.includes(facts.bureau), 'bureau', `bureau must be one of ${BUREAUS.join(', ')}`);
    ensure(!RESERVED_CODES.includes(facts.code), 'code', `${facts.code} is reserved: it names the Department or a collective (${RESERVED_CODES.join(', ')})`);
    ensure(COUNTRY_PATTERN.test(facts.country) && countries.isValid(facts.country), 'country', 'country must be an ISO 3166 alpha-2 code');
    // TAGS name a post's country by its FIPS 10-4 tag, its ISO 3166 country's (CH for CN, China).
    const tag = fipsOfIso(facts.country);
    ensure(isCountryTagOf(facts.countryTag, facts.country), 'countryTag', tag ? `countryTag must be ${tag}, the TAGS country tag of ${facts.country}` : `countryTag ${facts.countryTag} is not a TAGS country tag for ${facts.country}`);
    const post = new Post(facts.code);
    post.apply({ type: 'PostEstablished', data: { ...facts, name: facts.name.trim(), city: facts.city.trim() } });
    return post;
  }

  rename(name: string): void {
    this.mustNotBeClosed('renamed');
    ensure(showsText(name), 'name', 'name must not be empty');
    if (name.trim() !== this.facts.name) this.apply({ type: 'PostRenamed', data: { name: name.trim() } });
  }

  /** Records who heads the post (whose surname signs its cables), or that nobody is recorded (null). */
  nameChiefOfMission(name: string | null): void {
    this.mustNotBeClosed('given a chief of mission');
    const trimmed = name === null ? null : name.trim();
    ensure(trimmed === null || (trimmed.length > 0 && trimmed.length <= 120), 'chiefOfMission', 'chiefOfMission must be a name of 1 to 120 characters, or null');
    if (trimmed !== this.chiefOfMission) this.apply({ type: 'ChiefOfMissionNamed', data: { name: trimmed } });
  }

  suspend(reason: string): void {
    this.mustBe('OPEN', 'suspended');
    ensure(showsText(reason), 'reason', 'say why the post is suspended');
    this.apply({ type: 'PostSuspended', data: { reason: reason.trim() } });
  }

  reopen(): void {
    this.mustBe('SUSPENDED', 'reopened');
    this.apply({ type: 'PostReopened', data: {} });
  }

  close(reason: string): void {
    this.mustNotBeClosed('closed');
    ensure(showsText(reason), 'reason', 'say why the post is closed');
    this.apply({ type: 'PostClosed', data: { reason: reason.trim() } });
  }

  onPostEstablished(event: Of<'PostEstablished'>): void {
    this.facts = event.data;
    this.status = 'OPEN';
  }

  onPostRenamed(event: Of<'PostRenamed'>): void {
    this.facts = { ...this.facts, name: event.data.name };
  }

  onChiefOfMissionNamed(event: Of<'ChiefOfMissionNamed'>): void {
    this.chiefOfMission = event.data.name;
  }

  onPostSuspended(): void {
    this.status = 'SUSPENDED';
  }

  onPostReopened(): void {
    this.status = 'OPEN';
  }

  onPostClosed(): void {
    this.status = 'CLOSED';
  }

  private mustBe(status: PostStatus, verb: string): void {
    if (this.status !== status) {
      const state = status.toLowerCase();
      throw new ChanceryError(ErrorCode.InvalidTransition, `${this.id} is ${this.status}; only ${/^[aeiou]/.test(state) ? 'an' : 'a'} ${state} post can be ${verb}`, { status: this.status });
    }
  }

  private mustNotBeClosed(verb: string): void {
    if (this.status === 'CLOSED') throw new ChanceryError(ErrorCode.InvalidTransition, `${this.id} is CLOSED and cannot be ${verb}`, { status: this.status });
  }
}

export const postDefinition: AggregateDefinition<Post> = {
  streamType: 'post',
  schemaVersions: { PostEstablished: 1, PostRenamed: 1, ChiefOfMissionNamed: 1, PostSuspended: 1, PostReopened: 1, PostClosed: 1 },
  blank: (code) => new Post(code),
};

/** Designators that are not the kind's prefix and the city: missions, AIT, and cities written short. */
const DESIGNATORS: Readonly<Record<string, string>> = {
  AITTAIPEI: 'AIT TAIPEI',
  VATICAN: 'AMEMBASSY VATICAN',
  MEXICO: 'AMEMBASSY MEXICO',
  GUATEMALA: 'AMEMBASSY GUATEMALA',
  PANAMA: 'AMEMBASSY PANAMA',
  USUNNEWYORK: 'USMISSION USUN NEW YORK',
  GENEVA: 'USMISSION GENEVA',
  UNVIEVIENNA: 'USMISSION UNVIE VIENNA',
  USOSCE: 'USMISSION USOSCE',
  USNATO: 'USMISSION USNATO',
  USEUBRUSSELS: 'USEU BRUSSELS',
  USOECD: 'USMISSION USOECD PARIS',
  UNESCO: 'USMISSION UNESCO PARIS',
  UNROME: 'USMISSION UN ROME',
  USAU: 'USMISSION USAU ADDIS ABABA',
  ICAO: 'USMISSION ICAO MONTREAL',
  USOAS: 'USMISSION USOAS',
  USASEAN: 'USMISSION USASEAN JAKARTA',
};

/** Latin capitals that no decomposition takes apart, as telegrams spell them (Łódź is LODZ, Ærø AERO). */
const SPELLED: Readonly<Record<string, string>> = { Æ: 'AE', Ð: 'D', Đ: 'D', Ħ: 'H', Ł: 'L', Ø: 'O', Œ: 'OE', Þ: 'TH', ẞ: 'SS' };

/**
 * A city's letters as a telegram carries them: compatibility forms as what they stand for (full-width
 * `Ｔ` is `T`), in capitals (ß is SS), accents and other combining marks dropped, format characters
 * (a zero-width space, a joiner, a soft hyphen) dropped, and spelled in A to Z where Latin has a
 * letter of its own. Two cities that read alike to their reader come out as one.
 */
const foldedCity = (city: string) =>
  city
    .normalize('NFKD')
    .toUpperCase()
    .replace(/[\p{M}\p{Cf}]/gu, '')
    .replace(/[ÆÐĐĦŁØŒÞẞ]/g, (letter) => SPELLED[letter]);

const APOSTROPHES = /['‘’ʻʼ]/gu;
/** What a telegram designator carries of a city, once folded: letters A to Z, digits, spaces and a place name's marks. */
const CARRIED = /^[A-Z0-9\s.,()\-\u2010'‘’ʻʼ]*$/u;

/** A city as a telegram writes it: folded (`foldedCity`), no apostrophes or periods, hyphens as spaces. */
const telegramCity = (city: string) =>
  foldedCity(city).replace(APOSTROPHES, '').replace(/\./g, '').replace(/[-\u2010]/g, ' ').replace(/\s+/g, ' ').trim();

const codePoint = (character: string) => `U+${character.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;

/**
 * What keeps `city` from being written in a telegram's designator, said of its first character that
 * cannot be: a format character (a zero-width space or joiner, a soft hyphen, a byte order mark),
 * which would make a second `AMEMBASSY TOKYO` that reads as the first; a letter of another script
 * (Cyrillic `о` in `Tоkyo`); or any other character a designator cannot carry. Undefined when the
 * whole city can be (accented and full-width letters are folded: `foldedCity`).
 */
export function designatorCityProblem(city: string): string | undefined {
  for (const character of city) {
    if (/\p{Cf}/u.test(character)) return `city must not hold the invisible character ${codePoint(character)}: a telegram designator cannot carry it`;
    if (CARRIED.test(foldedCity(character))) continue;
    if (/\p{L}/u.test(character) && !/\p{Script=Latin}/u.test(character)) {
      return `city must be written in Latin letters, as its telegram designator is: "${character}" (${codePoint(character)}) is not one`;
    }
    const shown = showsText(character) && /[\p{L}\p{N}\p{P}\p{S}]/u.test(character) ? `"${character}" (${codePoint(character)})` : codePoint(character);
    return `city must not hold ${shown}: a telegram designator carries letters A to Z (accented or not), digits, spaces and . , ' - ( ) only`;
  }
  return undefined;
}

/** How the post is written in a telegram's header: `AMEMBASSY BEIJING`, `AMCONSUL HONG KONG`, `USMISSION USUN NEW YORK`. */
export function addressDesignator(post: Pick<PostFacts, 'kind' | 'code' | 'city'>): string {
  const known = DESIGNATORS[post.code];
  if (known) return known;
  switch (post.kind) {
    case 'EMBASSY':
      return `AMEMBASSY ${telegramCity(post.city)}`;
    case 'CONSULATE_GENERAL':
    case 'CONSULATE':
      return `AMCONSUL ${telegramCity(post.city)}`;
    case 'MISSION':
      return `USMISSION ${post.code}`;
  }
}

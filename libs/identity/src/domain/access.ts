/** Roles, clearances and classifications: the vocabulary of who may see and do what. */

export const ROLES = ['drafter', 'clearer', 'approver', 'post_officer', 'leadership', 'auditor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const CLEARANCES = ['UNCLASSIFIED', 'CONFIDENTIAL', 'SECRET', 'TOP_SECRET'] as const;
export type Clearance = (typeof CLEARANCES)[number];

export const CLASSIFICATIONS = ['UNCLASSIFIED', 'SBU', 'CONFIDENTIAL', 'SECRET', 'TOP_SECRET'] as const;
export type Classification = (typeof CLASSIFICATIONS)[number];

/** SBU is sensitive but unclassified: any cleared reader may see it. */
const LEVEL: Record<Classification, number> = { UNCLASSIFIED: 0, SBU: 0, CONFIDENTIAL: 1, SECRET: 2, TOP_SECRET: 3 };

/** The level a reader must be cleared to: what read tables store to filter in SQL. */
export function readingLevel(classification: Classification): number {
  return LEVEL[classification];
}

/** The highest reading level a clearance covers. */
export function clearanceLevel(clearance: Clearance): number {
  return LEVEL[clearance];
}

export function clearanceCovers(clearance: Clearance, classification: Classification): boolean {
  return clearanceLevel(clearance) >= readingLevel(classification);
}

/** The person acting, as the policy needs to know them. */
export interface Principal {
  id: string;
  username: string;
  roles: readonly Role[];
  office: string | null;
  postCode: string | null;
  clearance: Clearance;
}

/** A password's length, counted as the server counts it (UTF-16 code units, JavaScript's `length`): the API's rule, and the web app's forms, which check it before sending. */
export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 256;

export const USERNAME_PATTERN = /^[a-z][a-z0-9._-]{2,31}$/;
/** A username as people type it: any case (it is stored and matched in lower case). */
export const USERNAME_INPUT_PATTERN = /^[A-Za-z][A-Za-z0-9._-]{2,31}$/;
/** Office symbols: EAP, EAP/CM, S/ES-O, EB/TPP/IPE. */
export const OFFICE_PATTERN = /^[A-Z]{1,8}(-[A-Z]{1,4})?(\/[A-Z]{1,8}(-[A-Z]{1,4})?){0,3}$/;
/** Bureau symbols, an office symbol's first segment: EAP, S, D-MR. */
export const BUREAU_PATTERN = /^[A-Z]{1,8}(-[A-Z]{1,4})?$/;
/** An office symbol or a post code (`BEIJING`, `USUNNEWYORK`: 3 to 24 capitals), where either names an owner. */
export const OFFICE_OR_POST_PATTERN = new RegExp(`${OFFICE_PATTERN.source}|^[A-Z]{3,24}$`);

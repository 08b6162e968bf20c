import { hash, type Options } from '@node-rs/argon2';
import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import { adjacencyGraphs, dictionary } from '@zxcvbn-ts/language-common';
import { ChanceryError, ErrorCode } from '@chancery/common';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../../domain/access.js';

/**
 * argon2id as OWASP's Password Storage Cheat Sheet sets it: 19 MiB of memory, two passes, one lane
 * (about 25 ms per hash here). Stored hashes carry their parameters, so raising them later only
 * affects new hashes.
 */
// `algorithm: 2` is Algorithm.Argon2id, a const enum that isolated modules cannot read.
export const ARGON2_OPTIONS: Options = { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 };

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2_OPTIONS);
}

// The common-password list (about 49,000 passwords seen most often in breaches) ships with
// @zxcvbn-ts/language-common; zxcvbn also scores what is merely a dictionary word with digits.
const COMMON_PASSWORDS = new Set((dictionary['passwords-common'] as string[]).map((p) => p.toLowerCase()));
let estimator: ZxcvbnFactory | undefined;

/**
 * What is wrong with a password for this user, or undefined: at least 12 characters (NIST SP 800-63B
 * asks for 8 and allows more), at most 256, not the username, not in the list of breached common
 * passwords, and not guessable from dictionary words, keyboard patterns and the user's own names
 * (a zxcvbn score of at least 3 of 4, of the password and of what is left of it without those names).
 */
export function passwordProblem(password: string, user: { username: string; displayName?: string }): string | undefined {
  if (password.length < PASSWORD_MIN_LENGTH) return `must be at least ${PASSWORD_MIN_LENGTH} characters`;
  if (password.length > PASSWORD_MAX_LENGTH) return `must be at most ${PASSWORD_MAX_LENGTH} characters`;
  const lower = password.toLowerCase();
  if (lower === user.username.toLowerCase()) return 'must not be the username';
  if (COMMON_PASSWORDS.has(lower)) return 'is one of the passwords most often found in breaches';
  estimator ??= new ZxcvbnFactory({ dictionary, graphs: adjacencyGraphs });
  const names = user.displayName ? [...nameWords(user.displayName), nameWords(user.displayName).join(''), user.displayName] : [];
  const inputs = [user.username, ...names, 'chancery'];
  // Spaces between words are scored as guessing a character each, which lifted "Carl Conf Carl Conf"
  // (the user's name twice) to 3: the words are scored without them too, the lower score counting.
  const spaced = estimator.check(password, inputs);
  const joined = /\s/.test(password) ? estimator.check(password.replace(/\s+/g, ''), inputs) : spaced;
  const { score, feedback } = joined.score < spaced.score ? joined : spaced;
  if (score < 3) return `is too easy to guess${feedback.warning ? ` (${explain(feedback.warning)})` : ''}: use a longer phrase of unrelated words`;
  // zxcvbn scores a name repeated with separators, or with a year between ("tclear.tclear.tclear",
  // "TiaClear2026!TiaClear"), as safe: what is left once the user's own names are taken out must be.
  const rest = withoutOwnNames(password, user);
  if (rest !== password && estimator.check(rest, ['chancery']).score < 3) return "is built on the user's own names: what is left without them is too easy to guess";
  return undefined;
}

/** The words of a name, without what stands between them ("Political officer, BEIJING": Political, officer, BEIJING). */
const nameWords = (name: string) => name.split(/[^\p{L}\p{N}]+/u).filter(Boolean);

/**
 * The password with every occurrence of the user's names taken out, whatever their case: the
 * username and its parts ("pol.beijing", "beijing"), the display name's words and the words run
 * together ("Tia Clear", "TiaClear"); parts under three letters are left, as they occur in words.
 */
function withoutOwnNames(password: string, user: { username: string; displayName?: string }): string {
  const words = user.displayName ? nameWords(user.displayName) : [];
  const names = [user.username, ...user.username.split(/[._-]+/), words.join(''), ...words].filter((name) => name.length >= 3);
  const longestFirst = [...new Set(names.map((name) => name.toLowerCase()))].sort((a, b) => b.length - a.length);
  return longestFirst.reduce((rest, name) => rest.replace(new RegExp(name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'gi'), ''), password);
}

/** Throws a 422 naming the field when the password breaks the policy. */
export function requireStrongPassword(field: string, password: string, user: { username: string; displayName?: string }): void {
  const problem = passwordProblem(password, user);
  if (problem) throw new ChanceryError(ErrorCode.RuleViolated, `The ${field} ${problem}`, { errors: [{ field, message: `${field} ${problem}` }] });
}

function explain(warning: string): string {
  return warning.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
}

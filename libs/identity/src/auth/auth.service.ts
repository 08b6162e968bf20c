import { createHash } from 'node:crypto';
import { isUUID } from 'class-validator';
import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { hash, verify } from '@node-rs/argon2';
import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import { DataSource } from 'typeorm';
import { AuditLog } from '@chancery/audit';
import { ChanceryError, ErrorCode } from '@chancery/common';
import { APP_CONFIG, type AppConfig } from '@chancery/config';
import type { Principal } from '../domain/access.js';
import { normalizeUsername } from '../domain/user.aggregate.js';
import { principalOf, UsersQuery, type UserStanding, type UserView } from '../users/users.query.js';

export interface LoginResult {
  accessToken: string;
  tokenType: 'Bearer';
  expiresIn: string;
  user: Omit<UserView, 'version'>;
}

/**
 * The caller behind a bearer token, when that token expires (what a stream opened with it lives to),
 * and the token generation it was checked against (a command commits only while it still stands).
 */
export type AuthenticatedPrincipal = Principal & { displayName: string; sessionEndsAt: Date | null; tokenGeneration: number };

interface TokenClaims {
  sub: string;
  username: string;
  /** The user's token generation when it was issued; a logout, password change or reset, or disabling raises it. */
  gen?: number;
}

/** A password change whose current password is not the user's (`why`: more than that). */
export function wrongCurrentPassword(why?: string): ChanceryError {
  return new ChanceryError(ErrorCode.RuleViolated, `The current password is not right${why ? `: ${why}` : ''}`, { errors: [{ field: 'currentPassword', message: 'currentPassword is not right' }] });
}

/** Logins and tokens. Failed logins are limited per client address and username. */
@Injectable()
export class AuthService {
  private readonly failures: RateLimiterPostgres;
  /** One audited refusal per client and username per window. */
  private readonly refusals: RateLimiterPostgres;
  /** Verified against when the username is unknown, so that both cases take the same time. */
  private readonly decoy = hash('no such user: a decoy to keep timing even');

  constructor(
    private readonly jwt: JwtService,
    private readonly users: UsersQuery,
    private readonly audit: AuditLog,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly dataSource: DataSource,
  ) {
    // Counted in the database (table login_limits, made by a migration): a restart keeps the counts,
    // and every API process counts together. Expired counts are deleted by `purgeExpiredCounts`,
    // not by the library's own timer (which would outlive the pool at shutdown).
    const store = { storeClient: dataSource, storeType: 'typeorm', tableName: 'login_limits', tableCreated: true, clearExpiredByTimeout: false };
    this.failures = new RateLimiterPostgres({ ...store, keyPrefix: 'failures', points: config.auth.loginMaxFailures, duration: config.auth.loginWindowSeconds });
    this.refusals = new RateLimiterPostgres({ ...store, keyPrefix: 'refusals', points: 1, duration: config.auth.loginWindowSeconds });
  }

  private lastPurge = 0;

  /** At most once an hour, on a login's way: the counts whose window ended an hour ago or more. */
  private purgeExpiredCounts(): void {
    if (Date.now() - this.lastPurge < 3_600_000) return;
    this.lastPurge = Date.now();
    void this.dataSource.query('DELETE FROM login_limits WHERE expire < $1', [Date.now() - 3_600_000]).catch(() => undefined);
  }

  /** Whether this refused try is the first of its window (the one audited). */
  private async refusalAudited(key: string): Promise<boolean> {
    try {
      await this.refusals.consume(key, 1);
      return true;
    } catch (refused) {
      if (refused instanceof RateLimiterRes) return false;
      throw refused;
    }
  }

  /**
   * Counts a password try for `username` from `client` before it is verified, and atomically: tries
   * sent in parallel all count, so no more than the limit ever reach verification (a success gives
   * the points back). Logins and password changes share the count: a stolen token is no way to
   * guess the password the limit protects.
   */
  private async countTry(username: string, client: string, requestId: string, target: { user: UserStanding; passwordHash: string } | undefined): Promise<string> {
    // The count is the account's as its password stands (named by a digest of its hash): an
    // administrator's reset, or a change, starts a new one, and the user locked out signs in with
    // the password they were given at once. Nothing else does: a logout leaves it.
    const password = target ? createHash('sha256').update(target.passwordHash).digest('base64url').slice(0, 12) : 'none';
    // Counted by the account the name reached, whatever its spelling (any case; letters whose lower
    // case is another's), so that no spelling gets a count of its own. A name that reaches none, as
    // a digest: a password typed into the username box is not kept in the limits' table either.
    const tried = target ? `user:${target.user.id}` : createHash('sha256').update(normalizeUsername(username)).digest('base64url').slice(0, 22);
    const key = `${client}|${tried}|${password}`;
    this.purgeExpiredCounts();
    try {
      await this.failures.consume(key, 1);
    } catch (refused) {
      if (!(refused instanceof RateLimiterRes)) throw refused;
      const retryAfter = Math.ceil(refused.msBeforeNext / 1000);
      // Audited (a try refused unheard is part of the attack too), under the account it was aimed
      // at, so that auditors find it by username: the first refusal of each window, with the window's
      // end, so that a flood of refused tries writes one entry, not one each.
      if (await this.refusalAudited(key)) {
        await this.audit.append({ actorId: target?.user.id ?? 'anonymous', actorRole: 'anonymous', action: 'LoginRefused', requestId, details: { ...typedName(target), client, why: 'too many failed password tries', retryAfter } });
      }
      throw new ChanceryError(ErrorCode.RateLimited, `Too many failed password tries; try again in ${retryAfter} s`, { retryAfter });
    }
    return key;
  }

  /**
   * A signed-in user proving they know their current password (to change it): limited and audited
   * as logins are. Answers the credentials it verified, whose hash the change must still find.
   */
  async verifyOwnPassword(actor: { id: string; username: string }, password: string, client: string, requestId: string): Promise<{ user: UserStanding; passwordHash: string }> {
    const found = await this.users.withCredentials(actor.username);
    const key = await this.countTry(actor.username, client, requestId, found);
    if (!found || found.user.id !== actor.id || !(await verify(found.passwordHash, password))) {
      await this.audit.append({ actorId: actor.id, actorRole: found?.user.roles.join('+') ?? 'unknown', action: 'PasswordChangeFailed', requestId, details: { client, why: 'wrong current password' } });
      throw wrongCurrentPassword();
    }
    await this.failures.delete(key);
    return found;
  }

  async login(username: string, password: string, client: string, requestId: string): Promise<LoginResult> {
    const found = await this.users.withCredentials(username);
    const key = await this.countTry(username, client, requestId, found);
    const valid = found ? await verify(found.passwordHash, password) : (await verify(await this.decoy, password), false);
    if (!found || !valid) {
      await this.audit.append({ actorId: found?.user.id ?? 'anonymous', actorRole: 'anonymous', action: 'LoginFailed', requestId, details: { ...typedName(found), client } });
      throw new ChanceryError(ErrorCode.Unauthenticated, 'Wrong username or password');
    }
    if (found.user.disabled) {
      await this.audit.append({ actorId: found.user.id, actorRole: found.user.roles.join('+'), action: 'LoginRefused', requestId, details: { client, why: 'disabled' } });
      throw new ChanceryError(ErrorCode.Unauthenticated, 'This account is disabled; ask an administrator');
    }
    await this.failures.delete(key);
    await this.audit.append({ actorId: found.user.id, actorRole: found.user.roles.join('+'), action: 'Login', requestId, details: { client } });
    return this.issue(found.user);
  }

  /** A token for the user as they stand (after a password change, the caller gets a fresh one). */
  async issue(standing: UserStanding): Promise<LoginResult> {
    const claims: TokenClaims = { sub: standing.id, username: standing.username, gen: standing.tokenGeneration };
    const { version: _version, tokenGeneration: _generation, ...user } = standing;
    return { accessToken: await this.jwt.signAsync(claims), tokenType: 'Bearer', expiresIn: this.config.auth.jwtTtl, user };
  }

  /** The principal behind a bearer token, as the user stands now; 401 for anything else. */
  async authenticate(token: string): Promise<AuthenticatedPrincipal> {
    let claims: TokenClaims & { exp?: number };
    try {
      claims = await this.jwt.verifyAsync<TokenClaims>(token);
    } catch (error) {
      const expired = (error as Error).name === 'TokenExpiredError';
      throw new ChanceryError(ErrorCode.Unauthenticated, expired ? 'The access token has expired; log in again' : 'The access token is not valid');
    }
    // A database failure here is not the token's fault: it propagates (503), it is not a 401.
    const user = typeof claims.sub === 'string' && isUUID(claims.sub) ? await this.users.standing(claims.sub) : undefined;
    if (!user) throw new ChanceryError(ErrorCode.Unauthenticated, 'The access token names no current user');
    if (user.disabled) throw new ChanceryError(ErrorCode.Unauthenticated, 'This account is disabled');
    // Read from the database on every request, so that every API process refuses it at once.
    if ((claims.gen ?? 0) !== user.tokenGeneration) throw new ChanceryError(ErrorCode.Unauthenticated, 'The access token was revoked (logout or password change); log in again');
    return { ...principalOf(user), displayName: user.displayName, sessionEndsAt: typeof claims.exp === 'number' ? new Date(claims.exp * 1000) : null, tokenGeneration: user.tokenGeneration };
  }
}

/**
 * Who a failed or refused login was aimed at, as its audit entry names them: a user's name when it
 * names one, never the text typed when it names no one. The audit log keeps entries for good, and
 * a name no user has is as often a password typed into the wrong box.
 */
function typedName(found: { user: { username: string } } | undefined): { username: string | null; unknownUsername?: true } {
  return found ? { username: found.user.username } : { username: null, unknownUsername: true };
}

import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { ChanceryError, ErrorCode } from '@chancery/common';
import { AuthService, type Permission, PolicyService } from '@chancery/identity';
import { recordId } from '@chancery/http';
import { IS_PUBLIC, READS_RECORD, REQUIRED_PERMISSION } from './access.decorators.js';

/**
 * Every route but the public ones needs a valid bearer token (401 otherwise); a route that names a
 * permission also needs the policy's consent (403, audited, otherwise), and one that names a record
 * the right to read it. Guards run before interceptors and pipes, so this comes before If-Match
 * and Idempotency-Key: a replay or a 412 never tells anything to someone who may not read the record.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
    private readonly policy: PolicyService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const request = context.switchToHttp().getRequest<Request>();
    // `Bearer <token>` (RFC 6750) and nothing else: anything after the token is a malformed header.
    const [scheme, token, ...rest] = (request.headers.authorization ?? '').split(' ');
    if (scheme?.toLowerCase() !== 'bearer' || !token || rest.length > 0) {
      throw new ChanceryError(ErrorCode.Unauthenticated, 'This route needs a bearer token: log in at POST /auth/login');
    }
    const principal = await this.auth.authenticate(token);
    request.principal = principal;
    request.actor = { id: principal.id, username: principal.username, role: principal.roles.join('+') };
    // What the request is authorized under: its commands commit only while the user still stands so.
    request.authorizedAs = { tokenGeneration: principal.tokenGeneration, roles: principal.roles, office: principal.office, postCode: principal.postCode, clearance: principal.clearance };
    const permission = this.reflector.getAllAndOverride<Permission | undefined>(REQUIRED_PERMISSION, targets);
    if (permission) {
      await this.policy.requirePermission(principal, permission, { requestId: String(request.id), action: `${request.method} ${request.path}` });
    }
    const kind = this.reflector.getAllAndOverride<string | undefined>(READS_RECORD, targets);
    // A malformed id is the pipe's to refuse (400); an unknown one the handler's (404). The id is
    // read as the pipe reads it (any UUID, lower case), so the record checked is the record acted on.
    const id = recordId(request.params.id);
    if (kind && id) {
      await this.policy.requireReadableRecord(principal, kind, id, { requestId: String(request.id), action: `${request.method} ${request.path}`, streamId: `${kind}-${id}` });
    }
    return true;
  }
}

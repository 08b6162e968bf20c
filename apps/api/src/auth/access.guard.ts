import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { ChanceryError, ErrorCode } from '@chancery/common';
import { AuthService, type Permission, PolicyService } from '@chancery/identity';
import { IS_PUBLIC, REQUIRED_PERMISSION } from './access.decorators.js';

/**
 * Every route but the public ones needs a valid bearer token (401 otherwise); a route that names a
 * permission also needs the policy's consent (403, audited, otherwise).
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
    const [scheme, token] = (request.headers.authorization ?? '').split(' ');
    if (scheme?.toLowerCase() !== 'bearer' || !token) {
      throw new ChanceryError(ErrorCode.Unauthenticated, 'This route needs a bearer token: log in at POST /auth/login');
    }
    const principal = await this.auth.authenticate(token);
    request.principal = principal;
    request.actor = { id: principal.id, username: principal.username, role: principal.roles.join('+') };
    const permission = this.reflector.getAllAndOverride<Permission | undefined>(REQUIRED_PERMISSION, targets);
    if (permission) {
      await this.policy.requirePermission(principal, permission, { requestId: String(request.id), action: `${request.method} ${request.path}` });
    }
    return true;
  }
}

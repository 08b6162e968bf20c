import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Request } from 'express';
import type { Permission, Principal } from '@chancery/identity';

export const IS_PUBLIC = 'chancery:public';
export const REQUIRED_PERMISSION = 'chancery:permission';

/** No token needed: login, health. */
export const Public = () => SetMetadata(IS_PUBLIC, true);

/** The permission the route needs, checked by the AccessGuard through the PolicyService. */
export const RequirePermission = (permission: Permission) => SetMetadata(REQUIRED_PERMISSION, permission);

declare module 'express-serve-static-core' {
  interface Request {
    principal?: Principal & { displayName: string };
  }
}

/** The authenticated caller. */
export const CurrentUser = createParamDecorator((_: unknown, context: ExecutionContext) => context.switchToHttp().getRequest<Request>().principal!);

import { createSecretKey } from 'node:crypto';
import { Global, Module, OnModuleInit } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { APP_CONFIG, type AppConfig } from '@chancery/config';
import { DatabaseRuntime } from '@chancery/database';
import { ProjectionRegistry } from '@chancery/event-store';
import { AuthService } from './auth/auth.service.js';
import { resolveJwtSecret } from './auth/jwt-secret.js';
import { PolicyService } from './policy.service.js';
import { AdminBootstrap } from './users/admin-bootstrap.js';
import { RegisterUserHandler } from './users/register-user/register-user.handler.js';
import { UsersProjection } from './users/users.projection.js';
import { UsersQuery } from './users/users.query.js';

/** Global: every route and query asks the PolicyService, every request the AuthService. */
@Global()
@Module({
  imports: [
    JwtModule.registerAsync({
      inject: [APP_CONFIG, DatabaseRuntime],
      useFactory: async (config: AppConfig, runtime: DatabaseRuntime) => ({
        // A KeyObject, not the string: given a string, jsonwebtoken tries it as a public key first
        // (and throws) on every verification, which cost ~7% of a busy API's CPU.
        secret: createSecretKey(Buffer.from(await resolveJwtSecret(config, runtime.target.embedded))),
        signOptions: { expiresIn: config.auth.jwtTtl as `${number}h`, algorithm: 'HS256' },
        verifyOptions: { algorithms: ['HS256'] },
      }),
    }),
  ],
  providers: [UsersProjection, UsersQuery, RegisterUserHandler, AuthService, PolicyService, AdminBootstrap],
  exports: [UsersQuery, AuthService, PolicyService],
})
export class IdentityModule implements OnModuleInit {
  constructor(
    private readonly registry: ProjectionRegistry,
    private readonly users: UsersProjection,
  ) {}

  onModuleInit(): void {
    this.registry.registerInline(this.users);
  }
}

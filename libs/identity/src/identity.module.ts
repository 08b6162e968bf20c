import { createSecretKey, randomBytes } from 'node:crypto';
import { Global, Module, OnModuleInit } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { APP_CONFIG, type AppConfig, PROCESS_OPTIONS, type ProcessOptions } from '@chancery/config';
import { DatabaseRuntime } from '@chancery/database';
import { CommandCommitter, ProjectionRegistry } from '@chancery/event-store';
import { AuthService } from './auth/auth.service.js';
import { resolveJwtSecret } from './auth/jwt-secret.js';
import { PolicyService } from './policy.service.js';
import { AddOfficeHandler, AddOfficesHandler } from './offices/add-office/add-offices.handler.js';
import { OfficeSeeder } from './offices/office-seeder.js';
import { OfficesProjection } from './offices/offices.projection.js';
import { OfficesQuery } from './offices/offices.query.js';
import { AdminBootstrap } from './users/admin-bootstrap.js';
import { ChangeOwnPasswordHandler } from './users/change-own-password/change-own-password.handler.js';
import { ChangeProfileHandler } from './users/change-profile/change-profile.handler.js';
import { AdministratorStanding } from './users/administrator-standing.js';
import { CallerStandingCheck } from './users/caller-standing-check.js';
import { SetUserEnabledHandler } from './users/disable-user/set-user-enabled.handler.js';
import { LogOutHandler } from './users/log-out/log-out.handler.js';
import { ResetPasswordHandler } from './users/reset-password/reset-password.handler.js';
import { RegisterUserHandler } from './users/register-user/register-user.handler.js';
import { UsersProjection } from './users/users.projection.js';
import { UserPlacement } from './users/user-placement.js';
import { UsersQuery } from './users/users.query.js';

/** Global: every route and query asks the PolicyService, every request the AuthService. */
@Global()
@Module({
  imports: [
    JwtModule.registerAsync({
      inject: [APP_CONFIG, DatabaseRuntime, PROCESS_OPTIONS],
      useFactory: async (config: AppConfig, runtime: DatabaseRuntime, process: ProcessOptions) => ({
        // A KeyObject, not the string: given a string, jsonwebtoken tries it as a public key first
        // (and throws) on every verification, which cost ~7% of a busy API's CPU. A process that
        // issues no tokens (a worker, an operations command) holds a key of its own that nothing
        // it could sign would be accepted with, not JWT_SECRET.
        secret: createSecretKey(process.authenticates ? Buffer.from(await resolveJwtSecret(config, runtime.target.embedded)) : randomBytes(48)),
        signOptions: { expiresIn: config.auth.jwtTtl as `${number}h`, algorithm: 'HS256' },
        verifyOptions: { algorithms: ['HS256'] },
      }),
    }),
  ],
  providers: [
    UsersProjection,
    UsersQuery,
    RegisterUserHandler,
    ChangeProfileHandler,
    SetUserEnabledHandler,
    ResetPasswordHandler,
    ChangeOwnPasswordHandler,
    LogOutHandler,
    AuthService,
    PolicyService,
    AdminBootstrap,
    OfficesProjection,
    OfficesQuery,
    AddOfficesHandler,
    AddOfficeHandler,
    OfficeSeeder,
    UserPlacement,
    AdministratorStanding,
    CallerStandingCheck,
  ],
  exports: [UsersQuery, OfficesQuery, AuthService, PolicyService],
})
export class IdentityModule implements OnModuleInit {
  constructor(
    private readonly registry: ProjectionRegistry,
    private readonly users: UsersProjection,
    private readonly offices: OfficesProjection,
    private readonly committer: CommandCommitter,
    private readonly callerStanding: CallerStandingCheck,
  ) {}

  onModuleInit(): void {
    this.committer.register(this.callerStanding);
    this.registry.registerInline(this.users);
    this.registry.registerInline(this.offices);
  }
}

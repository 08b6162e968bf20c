import { randomBytes } from 'node:crypto';
import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ChanceryError, ErrorCode, systemContext } from '@chancery/common';
import { APP_CONFIG, type AppConfig, ConfigurationError, PROCESS_OPTIONS, type ProcessOptions } from '@chancery/config';
import { DatabaseRuntime, whileBusy } from '@chancery/database';
import { RegisterUserCommand } from './register-user/register-user.command.js';
import { RegisterUserHandler } from './register-user/register-user.handler.js';
import { UsersQuery } from './users.query.js';

/**
 * With no users at all, creates `admin` with ADMIN_PASSWORD. In embedded mode without one, it
 * generates a password and prints it once; with a database server it refuses to guess.
 */
@Injectable()
export class AdminBootstrap implements OnApplicationBootstrap {
  private readonly logger = new Logger(AdminBootstrap.name);

  constructor(
    private readonly users: UsersQuery,
    // Called directly: the CommandBus learns of its handlers only once bootstrap is over.
    private readonly register: RegisterUserHandler,
    private readonly runtime: DatabaseRuntime,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(PROCESS_OPTIONS) private readonly process: ProcessOptions,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.process.seedData) await whileBusy(() => this.createAdmin(), { logger: this.logger, what: 'creating the first admin' });
  }

  private async createAdmin(): Promise<void> {
    if ((await this.users.count()) > 0) return;
    let password = this.config.auth.adminPassword;
    const generated = !password;
    if (!password) {
      if (!this.runtime.target.embedded) {
        throw new ConfigurationError(['ADMIN_PASSWORD is required when DATABASE_URL names a database with no users yet: the first admin is created with it']);
      }
      password = randomBytes(15).toString('base64url');
    }
    try {
      await this.register.execute(
        new RegisterUserCommand(
          systemContext('bootstrap'),
          { username: 'admin', displayName: 'Administrator', roles: ['admin'], office: null, postCode: null, clearance: 'UNCLASSIFIED' },
          password,
        ),
      );
    } catch (error) {
      // Another process created it first.
      if (error instanceof ChanceryError && error.code === ErrorCode.AlreadyExists) return;
      // The password rule's refusal of ADMIN_PASSWORD is a bad setting, said as one.
      if (error instanceof ChanceryError && !generated && (error.code === ErrorCode.ValidationFailed || error.code === ErrorCode.RuleViolated)) {
        throw new ConfigurationError([`ADMIN_PASSWORD: ${error.message}`]);
      }
      throw error;
    }
    if (generated) {
      console.log(`\n  First start: created user "admin" with password ${password}\n  It is shown only this once.\n`);
    } else {
      this.logger.log('Created user "admin" with the password from ADMIN_PASSWORD');
    }
  }
}

import { DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { HttpConventionsModule, ReplayCheck } from '@chancery/http';
import { DOMAIN_MODULES, PlatformModule, type PlatformOptions } from '@chancery/platform';
import { AccessGuard } from './auth/access.guard.js';
import { ClearanceReplayCheck } from './auth/replay-check.js';
import { AuthController } from './auth/auth.controller.js';
import { CablesController } from './cables/cables.controller.js';
import { DemarchesController } from './demarches/demarches.controller.js';
import { FollowUpsController } from './follow-ups/follow-ups.controller.js';
import { HealthController } from './health/health.controller.js';
import { LiveModule } from './live/live.module.js';
import { MailStatusController } from './notifications/mail-status.controller.js';
import { NotificationsController } from './notifications/notifications.controller.js';
import { OfficesController } from './offices/offices.controller.js';
import { AuditController } from './operations/audit.controller.js';
import { DashboardController } from './operations/dashboard.controller.js';
import { InboxController } from './operations/inbox.controller.js';
import { ProjectionsController } from './operations/projections.controller.js';
import { PostsController } from './posts/posts.controller.js';
import { UsersController } from './users/users.controller.js';

// Terminus logs every 503 of /health as an ERROR; a process still loading its demo, or a database
// restarting, is not an error of this process (requests that fail are logged where they fail).
@Module({})
export class AppModule {
  static forRoot(options: PlatformOptions = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [PlatformModule.forRoot({ seedData: true, authenticates: true, ...options }), HttpConventionsModule, TerminusModule.forRoot({ logger: false }), ...DOMAIN_MODULES, LiveModule],
      controllers: [HealthController, AuthController, UsersController, OfficesController, PostsController, CablesController, DemarchesController, FollowUpsController, AuditController, ProjectionsController, InboxController, DashboardController, NotificationsController, MailStatusController],
      providers: [{ provide: APP_GUARD, useClass: AccessGuard }, { provide: ReplayCheck, useClass: ClearanceReplayCheck }],
    };
  }
}

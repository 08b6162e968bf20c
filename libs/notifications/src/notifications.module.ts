import { Module, OnModuleInit } from '@nestjs/common';
import { CablesModule } from '@chancery/cables';
import { ProjectionRegistry } from '@chancery/event-store';
import { FollowUpsModule } from '@chancery/follow-ups';
import { MailSender } from './mail/mail-sender.js';
import { NotificationMailer } from './mail/notification-mailer.js';
import { NotificationsQuery } from './notifications.query.js';
import { NotificationsService } from './notifications.service.js';
import { NotificationsProjection } from './projections/notifications.projection.js';

@Module({
  imports: [CablesModule, FollowUpsModule],
  providers: [NotificationsProjection, NotificationsQuery, NotificationsService, NotificationMailer, MailSender],
  exports: [NotificationsQuery, NotificationsService, MailSender],
})
export class NotificationsModule implements OnModuleInit {
  constructor(
    private readonly registry: ProjectionRegistry,
    private readonly projection: NotificationsProjection,
    private readonly mailer: NotificationMailer,
  ) {}

  onModuleInit(): void {
    this.registry.registerInline(this.projection);
    this.registry.registerAsync(this.mailer);
  }
}

import type { Type } from '@nestjs/common';
import { CablesModule } from '@chancery/cables';
import { DemarchesModule } from '@chancery/demarches';
import { FollowUpsModule } from '@chancery/follow-ups';
import { ReportingModule } from '@chancery/reporting';
import { IdentityModule } from '@chancery/identity';
import { NotificationsModule } from '@chancery/notifications';
import { PostsModule } from '@chancery/posts';

/**
 * The domain modules, each registering its commands, queries and projections. The API and the
 * worker both load all of them, so that every process knows every projection.
 */
export const DOMAIN_MODULES: Type[] = [IdentityModule, PostsModule, CablesModule, DemarchesModule, FollowUpsModule, ReportingModule, NotificationsModule];

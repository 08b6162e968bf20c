import { Module } from '@nestjs/common';
import { CablesModule } from '@chancery/cables';
import { FollowUpsModule } from '@chancery/follow-ups';
import { LiveController, LiveStreamGuard } from './live.controller.js';
import { LiveFeed } from './live-feed.js';
import { LiveTickets } from './live-tickets.js';

/** Live updates over Server-Sent Events (GET /events/stream), API processes only. */
@Module({
  imports: [CablesModule, FollowUpsModule],
  controllers: [LiveController],
  providers: [LiveFeed, LiveTickets, LiveStreamGuard],
  exports: [LiveFeed],
})
export class LiveModule {}

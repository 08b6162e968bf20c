import { Module } from '@nestjs/common';
import { DashboardQuery } from './dashboard.query.js';
import { InboxQuery } from './inbox.query.js';

/** Read-side queries across the domains: the inbox and the leadership dashboard. */
@Module({ providers: [InboxQuery, DashboardQuery], exports: [InboxQuery, DashboardQuery] })
export class ReportingModule {}

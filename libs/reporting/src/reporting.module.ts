import { Module } from '@nestjs/common';
import { InboxQuery } from './inbox.query.js';

/** Read-side queries across the domains: the inbox today; the dashboard next. */
@Module({ providers: [InboxQuery], exports: [InboxQuery] })
export class ReportingModule {}

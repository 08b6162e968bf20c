import { Controller, Get, Query, Req } from '@nestjs/common';
import type { Request } from 'express';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Principal } from '@chancery/identity';
import { InboxQuery } from '@chancery/reporting';
import { CurrentUser } from '../auth/access.decorators.js';
import { InboxRequest } from './inbox.request.dto.js';

@ApiTags('inbox')
@ApiBearerAuth()
@Controller('inbox')
export class InboxController {
  constructor(private readonly inbox: InboxQuery) {}

  @Get()
  @ApiOperation({ summary: 'What waits for the caller: cables to clear and to approve, taskings, follow-ups; each section\'s first `limit` items and `totals`, or one `section` paged as {items, total}' })
  get(@Query() query: InboxRequest, @CurrentUser() user: Principal, @Req() request: Request) {
    return query.section === undefined
      ? this.inbox.inbox(user, query.limit, String(request.id))
      : this.inbox.section(user, query.section, query.limit, query.offset ?? 0, String(request.id));
  }
}

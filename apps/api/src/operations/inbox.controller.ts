import { Controller, Get, Req } from '@nestjs/common';
import type { Request } from 'express';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Principal } from '@chancery/identity';
import { InboxQuery } from '@chancery/reporting';
import { CurrentUser } from '../auth/access.decorators.js';

@ApiTags('inbox')
@ApiBearerAuth()
@Controller('inbox')
export class InboxController {
  constructor(private readonly inbox: InboxQuery) {}

  @Get()
  @ApiOperation({ summary: 'What waits for the caller: cables to clear and to approve, taskings, follow-ups' })
  get(@CurrentUser() user: Principal, @Req() request: Request) {
    return this.inbox.inbox(user, String(request.id));
  }
}

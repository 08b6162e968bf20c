import { Controller, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import type { Request } from 'express';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsOptional } from 'class-validator';
import type { CommandContext } from '@chancery/common';
import { ChangesNoVersionedRecord, Ctx, UuidPipe } from '@chancery/http';
import type { Principal } from '@chancery/identity';
import { NotificationsService } from '@chancery/notifications';
import { CurrentUser } from '../auth/access.decorators.js';
import { PagingQuery } from '../common/paging.request.dto.js';

export class NotificationsQueryRequest extends PagingQuery {
  /** `true`: only those not read yet. */
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean({ message: 'unread must be true or false' })
  unread?: boolean;
}

const uuid = new UuidPipe();

@ApiTags('notifications')
@ApiBearerAuth()
@Controller('notifications')
export class NotificationsController {
  constructor(private readonly notifications: NotificationsService) {}

  @Get()
  @ApiOperation({ summary: "The caller's notifications, newest first, with the count of unread ones: only about records they may read now" })
  list(@Query() query: NotificationsQueryRequest, @CurrentUser() user: Principal, @Req() request: Request) {
    return this.notifications.list(user, query, String(request.id));
  }

  @Post('read-all')
  @HttpCode(200)
  @ChangesNoVersionedRecord()
  @ApiOperation({ summary: 'Marks every notification the caller has now read' })
  readAll(@CurrentUser() user: Principal, @Ctx() ctx: CommandContext) {
    return this.notifications.markAllRead(ctx, user);
  }

  @Post(':id/read')
  @HttpCode(200)
  @ChangesNoVersionedRecord()
  @ApiOperation({ summary: 'Marks one of the caller’s notifications read (404 if it is not theirs)' })
  read(@Param('id', uuid) id: string, @CurrentUser() user: Principal, @Ctx() ctx: CommandContext) {
    return this.notifications.markRead(ctx, user, id);
  }
}

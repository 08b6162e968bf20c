import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDate, IsOptional, IsString, MaxLength } from 'class-validator';
import { AuditLog } from '@chancery/audit';
import { RequirePermission } from '../auth/access.decorators.js';
import { PagingQuery } from '../common/paging.request.dto.js';

export class AuditQuery extends PagingQuery {
  @IsOptional() @IsString() @MaxLength(100) actor?: string;
  @IsOptional() @IsString() @MaxLength(200) streamId?: string;
  @IsOptional() @Type(() => Date) @IsDate({ message: 'from must be an ISO 8601 instant' }) from?: Date;
  @IsOptional() @Type(() => Date) @IsDate({ message: 'to must be an ISO 8601 instant' }) to?: Date;
}

@ApiTags('audit')
@ApiBearerAuth()
@Controller('audit')
export class AuditController {
  constructor(private readonly audit: AuditLog) {}

  @Get()
  @RequirePermission('audit.read')
  @ApiOperation({ summary: 'Audit entries, oldest first, filtered by actor, stream and time (auditors, admins)' })
  list(@Query() query: AuditQuery) {
    return this.audit.list({ actorId: query.actor, streamId: query.streamId, from: query.from, to: query.to, limit: query.limit, offset: query.offset });
  }

  @Get('verify')
  @RequirePermission('audit.read')
  @ApiOperation({ summary: 'Re-compute the hash chain: valid, or the first broken entry' })
  verify() {
    return this.audit.verify();
  }
}

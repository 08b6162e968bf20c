import { Body, Controller, Get, Post, Query } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { CommandContext } from '@chancery/common';
import { Ctx } from '@chancery/http';
import { AddOfficeCommand, bureauOf, OfficesQuery } from '@chancery/identity';
import { RequirePermission } from '../auth/access.decorators.js';
import { AddOfficeRequest, ListOfficesQuery } from './offices.request.dto.js';

@ApiTags('identity')
@ApiBearerAuth()
@Controller('offices')
export class OfficesController {
  constructor(
    private readonly commands: CommandBus,
    private readonly offices: OfficesQuery,
  ) {}

  @Get()
  @RequirePermission('offices.read')
  @ApiOperation({ summary: 'The directory of offices: {symbol, name, bureau}' })
  list(@Query() query: ListOfficesQuery) {
    return this.offices.list(query.bureau, query.limit, query.offset);
  }

  @Post()
  @RequirePermission('offices.manage')
  @ApiOperation({ summary: 'Add an office to the directory (admin); its bureau is its first segment' })
  async add(@Body() body: AddOfficeRequest, @Ctx() ctx: CommandContext) {
    return this.commands.execute(new AddOfficeCommand(ctx, { ...body, bureau: bureauOf(body.symbol) }));
  }
}

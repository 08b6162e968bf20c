import { Body, Controller, Get, Post, Query } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { CommandContext } from '@chancery/common';
import { Ctx } from '@chancery/http';
import { RegisterUserCommand, UsersQuery } from '@chancery/identity';
import { RequirePermission } from '../auth/access.decorators.js';
import { PagingQuery } from '../common/paging.request.dto.js';
import { CreateUserRequest } from './create-user.request.dto.js';

@ApiTags('identity')
@ApiBearerAuth()
@Controller('users')
export class UsersController {
  constructor(
    private readonly commands: CommandBus,
    private readonly users: UsersQuery,
  ) {}

  @Post()
  @RequirePermission('users.create')
  @ApiOperation({ summary: 'Create a user (admin)' })
  create(@Body() body: CreateUserRequest, @Ctx() ctx: CommandContext) {
    const { password, ...profile } = body;
    return this.commands.execute(new RegisterUserCommand(ctx, { ...profile, office: profile.office ?? null, postCode: profile.postCode ?? null }, password));
  }

  @Get()
  @RequirePermission('users.list')
  @ApiOperation({ summary: 'List users (admin)' })
  list(@Query() paging: PagingQuery) {
    return this.users.list(paging.limit, paging.offset);
  }
}

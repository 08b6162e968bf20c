import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { CommandContext } from '@chancery/common';
import { CreatesRecordAt, Ctx, IgnoresIdempotencyKey, nothingToChange, UuidPipe } from '@chancery/http';
import { ChangeProfileCommand, RegisterUserCommand, ResetPasswordCommand, SetUserEnabledCommand, UsersQuery } from '@chancery/identity';
import { RequirePermission } from '../auth/access.decorators.js';
import { ChangeUserRequest, CreateUserRequest, DisableUserRequest, ListUsersQuery, ResetPasswordRequest } from './create-user.request.dto.js';

const uuid = new UuidPipe();

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
  @CreatesRecordAt((user) => `/users/${String(user.id)}`)
  @IgnoresIdempotencyKey()
  @ApiOperation({ summary: 'Create a user (admin); the username in any case, stored in lower case' })
  create(@Body() body: CreateUserRequest, @Ctx() ctx: CommandContext) {
    const { password, ...profile } = body;
    return this.commands.execute(new RegisterUserCommand(ctx, { ...profile, office: profile.office ?? null, postCode: profile.postCode ?? null }, password));
  }

  @Get()
  @RequirePermission('users.list')
  @ApiOperation({ summary: 'List users (admin), by username; q: those whose username, display name, office or post holds it' })
  list(@Query() query: ListUsersQuery) {
    return this.users.list(query.limit, query.offset, query.q);
  }

  @Get(':id')
  @RequirePermission('users.list')
  @ApiOperation({ summary: 'One user (admin)' })
  get(@Param('id', uuid) id: string) {
    return this.users.view(id);
  }

  @Patch(':id')
  @RequirePermission('users.manage')
  @ApiOperation({ summary: 'Change display name, roles, office, post or clearance (admin); applies from the user’s next request' })
  change(@Param('id', uuid) id: string, @Body() body: ChangeUserRequest, @Ctx() ctx: CommandContext) {
    // A patch that names nothing to change is said to, as a follow-up's and a post's are.
    if (Object.values(body).every((value) => value === undefined)) {
      throw nothingToChange(['displayName', 'roles', 'office', 'postCode', 'clearance']);
    }
    return this.commands.execute(new ChangeProfileCommand(ctx, id, { ...body }));
  }

  @Post(':id/disable')
  @HttpCode(200)
  @ApiBody({ type: DisableUserRequest, required: false, description: 'the reason, if any: a request with no body disables too' })
  @IgnoresIdempotencyKey()
  @RequirePermission('users.manage')
  @ApiOperation({ summary: 'Disable a user (admin): they cannot log in, their tokens stop working at once' })
  disable(@Param('id', uuid) id: string, @Body() body: DisableUserRequest, @Ctx() ctx: CommandContext) {
    return this.commands.execute(new SetUserEnabledCommand(ctx, id, false, body.reason ?? null));
  }

  @Post(':id/enable')
  @HttpCode(200)
  @IgnoresIdempotencyKey()
  @RequirePermission('users.manage')
  @ApiOperation({ summary: 'Enable a disabled user again (admin)' })
  enable(@Param('id', uuid) id: string, @Ctx() ctx: CommandContext) {
    return this.commands.execute(new SetUserEnabledCommand(ctx, id, true));
  }

  @Post(':id/password')
  @HttpCode(200)
  @IgnoresIdempotencyKey()
  @RequirePermission('users.manage')
  @ApiOperation({ summary: 'Set a user’s password (admin); their older tokens stop working' })
  resetPassword(@Param('id', uuid) id: string, @Body() body: ResetPasswordRequest, @Ctx() ctx: CommandContext) {
    return this.commands.execute(new ResetPasswordCommand(ctx, id, body.password));
  }
}

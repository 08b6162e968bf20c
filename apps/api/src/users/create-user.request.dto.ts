import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsOptional, IsString, Matches, MaxLength, MinLength, ValidateIf } from 'class-validator';
import { SingleLine } from '@chancery/http';
import { CLEARANCES, type Clearance, OFFICE_PATTERN, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, type Role, ROLES, USERNAME_INPUT_PATTERN } from '@chancery/identity';
import { PagingQuery } from '../common/paging.request.dto.js';

const POST_CODE = /^[A-Z]{3,24}$/;
const ROLES_NONE = 'roles must name at least one role';
const ROLES_TOO_MANY = `roles must name at most ${ROLES.length} roles, each once`;

export class CreateUserRequest {
  @Matches(USERNAME_INPUT_PATTERN, { message: 'username must be 3 to 32 letters (a to z), digits, dots, dashes or underscores, starting with a letter' })
  username: string;

  @IsString()
  @MinLength(PASSWORD_MIN_LENGTH, { message: `password must be at least ${PASSWORD_MIN_LENGTH} characters` })
  @MaxLength(PASSWORD_MAX_LENGTH)
  password: string;

  @IsString()
  @MinLength(1)
  @MaxLength(120)
  @SingleLine()
  displayName: string;

  @IsArray()
  @ArrayMinSize(1, { message: ROLES_NONE })
  @ArrayMaxSize(ROLES.length, { message: ROLES_TOO_MANY })
  @IsIn(ROLES, { each: true, message: `each role must be one of ${ROLES.join(', ')}` })
  roles: Role[];

  @IsOptional()
  @Matches(OFFICE_PATTERN, { message: 'office must be an office symbol such as EAP/CM' })
  office?: string;

  @IsOptional()
  @Matches(POST_CODE, { message: 'postCode must be a post code such as BEIJING' })
  postCode?: string;

  @IsIn(CLEARANCES, { message: `clearance must be one of ${CLEARANCES.join(', ')}` })
  clearance: Clearance;
}

/** Validates a field whenever it is sent, `null` included (IsOptional would let `null` through). */
const present = (field: string) => (body: object) => (body as Record<string, unknown>)[field] !== undefined;

/** Only the fields present change; `null` takes away an office or a post (and is refused elsewhere). */
export class ChangeUserRequest {
  @ValidateIf(present('displayName'))
  @IsString()
  @MinLength(1)
  @MaxLength(120)
  @SingleLine()
  displayName?: string;

  @ValidateIf(present('roles'))
  @IsArray()
  @ArrayMinSize(1, { message: ROLES_NONE })
  @ArrayMaxSize(ROLES.length, { message: ROLES_TOO_MANY })
  @IsIn(ROLES, { each: true, message: `each role must be one of ${ROLES.join(', ')}` })
  roles?: Role[];

  @IsOptional()
  @Matches(OFFICE_PATTERN, { message: 'office must be an office symbol such as EAP/CM' })
  office?: string | null;

  @IsOptional()
  @Matches(POST_CODE, { message: 'postCode must be a post code such as BEIJING' })
  postCode?: string | null;

  @ValidateIf(present('clearance'))
  @IsIn(CLEARANCES, { message: `clearance must be one of ${CLEARANCES.join(', ')}` })
  clearance?: Clearance;
}

export class DisableUserRequest {
  @IsOptional()
  @IsString()
  @MaxLength(500)
  reason?: string;
}

export class ResetPasswordRequest {
  @IsString()
  @MinLength(PASSWORD_MIN_LENGTH, { message: `password must be at least ${PASSWORD_MIN_LENGTH} characters` })
  @MaxLength(PASSWORD_MAX_LENGTH)
  password: string;
}

export class ChangeOwnPasswordRequest {
  @IsString()
  @MaxLength(PASSWORD_MAX_LENGTH)
  currentPassword: string;

  @IsString()
  @MinLength(PASSWORD_MIN_LENGTH, { message: `newPassword must be at least ${PASSWORD_MIN_LENGTH} characters` })
  @MaxLength(PASSWORD_MAX_LENGTH)
  newPassword: string;
}

export class ListUsersQuery extends PagingQuery {
  /** Words a user's username, display name, office or post holds, in any case. */
  @IsOptional()
  @IsString()
  @MaxLength(100)
  @Matches(/\S/, { message: 'q must hold something to look for' })
  q?: string;
}

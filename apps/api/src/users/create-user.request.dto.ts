import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { CLEARANCES, type Clearance, OFFICE_PATTERN, type Role, ROLES, USERNAME_PATTERN } from '@chancery/identity';

export class CreateUserRequest {
  @Matches(USERNAME_PATTERN, { message: 'username must be 3 to 32 lower-case letters, digits, dots, dashes or underscores, starting with a letter' })
  username: string;

  @IsString()
  @MinLength(12, { message: 'password must be at least 12 characters' })
  @MaxLength(256)
  password: string;

  @IsString()
  @MinLength(1)
  @MaxLength(120)
  displayName: string;

  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(ROLES.length)
  @IsIn(ROLES, { each: true, message: `each role must be one of ${ROLES.join(', ')}` })
  roles: Role[];

  @IsOptional()
  @Matches(OFFICE_PATTERN, { message: 'office must be an office symbol such as EAP/CM' })
  office?: string;

  @IsOptional()
  @Matches(/^[A-Z]{3,24}$/, { message: 'postCode must be a post code such as BEIJING' })
  postCode?: string;

  @IsIn(CLEARANCES, { message: `clearance must be one of ${CLEARANCES.join(', ')}` })
  clearance: Clearance;
}

import { IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { OFFICE_PATTERN } from '@chancery/identity';

export class ListOfficesQuery {
  @IsOptional()
  @Matches(/^[A-Z]{1,8}(-[A-Z]{1,4})?$/, { message: 'bureau must be a bureau symbol such as EAP' })
  bureau?: string;
}

export class AddOfficeRequest {
  @Matches(OFFICE_PATTERN, { message: 'symbol must be an office symbol such as EAP/CM' })
  symbol: string;

  @IsString()
  @MinLength(1)
  @MaxLength(160)
  name: string;
}

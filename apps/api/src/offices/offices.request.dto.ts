import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { InCapitals, SingleLine } from '@chancery/http';
import { BUREAU_PATTERN, OFFICE_PATTERN } from '@chancery/identity';
import { PagingQuery } from '../common/paging.request.dto.js';

/** Paged like every list; the directory is small, so a page is the whole of it unless asked otherwise. */
export class ListOfficesQuery extends PagingQuery {
  @ApiPropertyOptional({ default: 500 })
  override limit: number = 500;

  /** Read in any case, as the other lists' filters are (`?bureau=eap`). */
  @IsOptional()
  @InCapitals()
  @Matches(BUREAU_PATTERN, { message: 'bureau must be a bureau symbol such as EAP' })
  bureau?: string;
}

export class AddOfficeRequest {
  @Matches(OFFICE_PATTERN, { message: 'symbol must be an office symbol such as EAP/CM' })
  symbol: string;

  @IsString()
  @MinLength(1)
  @MaxLength(160)
  @SingleLine()
  name: string;
}

import { IsIn, IsOptional, IsString, Matches, MaxLength, MinLength, ValidateBy, ValidateIf } from 'class-validator';
import { BIDI_CONTROLS } from '@chancery/common';
import { InCapitals, SingleLine } from '@chancery/http';
import { type Bureau, BUREAUS, designatorCityProblem, POST_CODE_PATTERN, POST_KINDS, POST_STATUSES, type PostKind, type PostStatus } from '@chancery/posts';
import { PagingQuery } from '../common/paging.request.dto.js';

/** A bureau and a country are codes, read in any case as the other lists' filters are (`?bureau=eap&country=jp`). */
export class ListPostsQuery extends PagingQuery {
  @IsOptional()
  @InCapitals()
  @IsIn(BUREAUS)
  bureau?: Bureau;

  @IsOptional()
  @IsIn(POST_KINDS)
  kind?: PostKind;

  @IsOptional()
  @InCapitals()
  @Matches(/^[A-Z]{2}$/, { message: 'country must be an ISO 3166 alpha-2 code' })
  country?: string;

  @IsOptional()
  @IsIn(POST_STATUSES)
  status?: PostStatus;
}

/**
 * A city its telegram designator can carry (`designatorCityProblem`): a `400` naming the character
 * that cannot be. A bidirectional control is left to `SingleLine`, which says it once.
 */
const DesignatorCity = () =>
  ValidateBy({
    name: 'designatorCity',
    validator: {
      validate: (value) => typeof value !== 'string' || BIDI_CONTROLS.test(value) || designatorCityProblem(value) === undefined,
      defaultMessage: (args) => designatorCityProblem(String(args?.value)) ?? 'city cannot be written in a telegram designator',
    },
  });

export class EstablishPostRequest {
  @Matches(POST_CODE_PATTERN, { message: 'code must be 3 to 24 capital letters, as in MRNs' })
  code: string;

  @IsString()
  @MinLength(1)
  @MaxLength(120)
  @SingleLine()
  name: string;

  @IsIn(POST_KINDS)
  kind: PostKind;

  @IsString()
  @MinLength(1)
  @MaxLength(80)
  @SingleLine()
  @DesignatorCity()
  city: string;

  @Matches(/^[A-Z]{2}$/, { message: 'country must be an ISO 3166 alpha-2 code' })
  country: string;

  @Matches(/^[A-Z]{2}$/, { message: 'countryTag must be a two-letter TAGS country code' })
  countryTag: string;

  @IsIn(BUREAUS)
  bureau: Bureau;
}

export class ChangePostRequest {
  /** Left out, the name is kept; `null` is refused (every post has a name), as a merge patch's null on such a field is. */
  @ValidateIf((_, value) => value !== undefined)
  @IsString()
  @MinLength(1)
  @MaxLength(120)
  @SingleLine()
  name?: string;

  /** The chief of mission's name (their surname signs the post's cables); null: none recorded. */
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(120)
  @SingleLine()
  chiefOfMission?: string | null;
}

export class PostReasonRequest {
  @IsString()
  @MinLength(1)
  @MaxLength(1000)
  reason: string;
}

import { Injectable } from '@nestjs/common';
import { ChanceryError, ErrorCode } from '@chancery/common';
import { OfficesQuery } from '../offices/offices.query.js';
import { PostDirectory } from './post-directory.js';

/** Where a user may be placed: an office in the directory, an open post (422 naming the field otherwise). */
@Injectable()
export class UserPlacement {
  constructor(
    private readonly offices: OfficesQuery,
    private readonly posts: PostDirectory,
  ) {}

  async requireValid(place: { office?: string | null; postCode?: string | null }): Promise<void> {
    if (place.office) await this.offices.requireKnown('office', [place.office]);
    if (place.postCode && !(await this.posts.isOpen(place.postCode))) {
      const message = `${place.postCode} is not an open post`;
      throw new ChanceryError(ErrorCode.RuleViolated, message, { errors: [{ field: 'postCode', message }] });
    }
  }
}

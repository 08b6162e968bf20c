import type { User } from '../domain/user.aggregate.js';
import type { UserView } from './users.query.js';

/** A user command's answer: the user as they stand after it. */
export function toUserView(user: User): UserView {
  return { id: user.id, ...user.profile, disabled: user.disabled, version: user.version };
}

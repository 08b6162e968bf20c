import { ChanceryError, ErrorCode } from './errors.js';

/** A business rule: when it does not hold, a 422 naming the field and what the rule wants. */
export function ensure(condition: boolean, field: string, message: string): asserts condition {
  if (!condition) throw new ChanceryError(ErrorCode.RuleViolated, message, { errors: [{ field, message }] });
}

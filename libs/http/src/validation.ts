import { ValidationError, ValidationPipe } from '@nestjs/common';
import { ChanceryError, ErrorCode, type FieldError } from '@chancery/common';

/**
 * class-validator's checks of a value's type: when one fails, the field's other rules are beside the
 * point. A list's or an object's own check comes first: its members' types are beside it too.
 */
const CONTAINER_CHECKS = new Set(['isArray', 'isObject', 'isNotEmptyObject']);
/** A list's own check: a value that is no list is told that alone, not what its members are not. */
const LIST_CHECK = new Set(['isArray']);

/** How many problems a refusal lists in `errors[]`: the rest are counted in `moreErrors`, so that its answer stays small whatever was sent. */
export const MAX_FIELD_ERRORS = 50;
/** How long a refusal's `detail` grows with the problems it says before it counts the others instead. */
const DETAIL_BUDGET = 400;

/** The problems said one after another while they fit `DETAIL_BUDGET`, then how many more there are: the count is never cut off. */
function detailOf(messages: readonly string[]): string {
  let said = 0;
  let length = 0;
  while (said < messages.length && (said === 0 || length + messages[said].length + 2 <= DETAIL_BUDGET)) length += messages[said++].length + 2;
  const more = messages.length - said;
  // One problem longer than the budget (it quotes a long value) is said in part: the count after it must survive the filter's cut.
  const text = messages.slice(0, said).join('; ');
  const shown = more > 0 && text.length > DETAIL_BUDGET ? `${[...text].slice(0, DETAIL_BUDGET).join('')}…` : text;
  return shown + (more > 0 ? `; and ${more} more problem${more === 1 ? '' : 's'}` : '');
}
const TYPE_CHECKS = new Set([...CONTAINER_CHECKS, 'isString', 'isInt', 'isNumber', 'isBoolean']);

/**
 * Each problem with the field it concerns, said once and plainly:
 * - a field that must have a value and has none, sent as `null` or left out, is told so (not its
 *   length and type rules);
 * - a value of the wrong type is told its type (`subject must be a string`), not the rules it
 *   would meet as the right one (its length; each member's range, for a list sent as one value);
 * - a list or an object of the wrong shape is told its shape alone (`paragraphs must be an array`),
 *   not each member's problems;
 * - class-validator's own "an unknown value was passed to the validate function" (an object where
 *   a list or value was expected) is said as the field's shape, beside the field's other rules or alone.
 */
function flatten(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const constraints = error.constraints ?? {};
    if (Object.keys(constraints).length > 0) {
      if (error.value === null) return [{ field, message: `${error.property} cannot be null: it needs a value` }];
      if (error.value === undefined) return [{ field, message: `${error.property} is missing: it needs a value` }];
    }
    const { unknownValue, ...rules } = constraints;
    const broken = Object.entries(rules);
    const said = [LIST_CHECK, CONTAINER_CHECKS, TYPE_CHECKS].map((checks) => broken.filter(([name]) => checks.has(name))).find((rules) => rules.length > 0) ?? broken;
    // A list or object of the wrong shape: its members' problems are beside the point (one each, unbounded).
    const shapeRefused = broken.some(([name]) => CONTAINER_CHECKS.has(name));
    const messages = said.map(([, message]) => message);
    // The value itself was refused (its children are its members, not named): said as its shape, once.
    const children = (error.children ?? []).filter((child) => child.property !== undefined);
    if (messages.length === 0 && (unknownValue !== undefined || children.length < (error.children ?? []).length)) messages.push(`${error.property} is not of the shape this field takes`);
    return [...messages.map((message) => ({ field, message })), ...(shapeRefused ? [] : flatten(children, field))];
  });
}

/**
 * A named path or query parameter is left as the text it came as: Nest would otherwise turn one
 * typed `number` into `+value` first (`1e3` into 1000, `0x10` into 16, `` into 0), before the
 * parameter's own pipe (`CountingNumberPipe`) could say that it is not a whole number.
 */
class TextParametersValidationPipe extends ValidationPipe {
  protected override transformPrimitive(value: unknown): unknown {
    return value;
  }
}

/** Validates DTOs, refuses unknown fields, and reports every problem with the field it concerns. */
export function createValidationPipe(): ValidationPipe {
  return new TextParametersValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    forbidUnknownValues: true,
    // Each error keeps the value it judged (Nest drops it where the error has children), so that a
    // value left out is told from one of the wrong shape. Values are never sent back.
    validationError: { target: false, value: true },
    exceptionFactory: (errors) => {
      const all = flatten(errors);
      const fieldErrors = all.slice(0, MAX_FIELD_ERRORS);
      const more = all.length - fieldErrors.length;
      return new ChanceryError(ErrorCode.ValidationFailed, detailOf(all.map((e) => e.message)) || 'Invalid request', { errors: fieldErrors, ...(more > 0 ? { moreErrors: more } : {}) });
    },
  });
}

/**
 * The refusal of a PATCH that names none of the `fields` it takes: said to name nothing ("Nothing to
 * change: give title, description, owner or dueOn"), not answered 200 with nothing changed.
 */
export function nothingToChange(fields: readonly string[]): ChanceryError {
  const named = fields.length === 1 ? fields[0] : `${fields.slice(0, -1).join(', ')} or ${fields[fields.length - 1]}`;
  return new ChanceryError(ErrorCode.ValidationFailed, `Nothing to change: give ${named}`, { errors: [{ field: fields[0], message: `${named} is required` }] });
}

import { ValidateBy, type ValidationOptions } from 'class-validator';
import { BIDI_CONTROLS } from '@chancery/common';

const LINE_BREAKING = /[\t\n\r\u0085\u2028\u2029]/;

/**
 * A name, title or place: one line, no tab, nothing that reorders it. Such text is set into a line
 * of its own (a telegram's signature and addressees, a list's cell, a notice's subject), where a
 * line break would start a line of the sender's choosing, and a bidirectional override would show
 * its readers other text than was written. (Control characters are refused for every field before
 * validation: body-parsing.ts.)
 */
export function SingleLine(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'singleLine',
      validator: {
        validate: (value) => typeof value !== 'string' || (!LINE_BREAKING.test(value) && !BIDI_CONTROLS.test(value)),
        defaultMessage: (args) =>
          typeof args?.value === 'string' && BIDI_CONTROLS.test(args.value)
            ? `${args.property} must not hold a bidirectional control (U+202A to U+202E, U+2066 to U+2069)`
            : `${args?.property} must be a single line (no line break or tab)`,
      },
    },
    options,
  );
}

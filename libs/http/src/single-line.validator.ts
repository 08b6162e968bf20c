import { Matches, type ValidationOptions } from 'class-validator';

/**
 * A name, title or place: one line, no tab. Such text is set into a line of its own (a telegram's
 * signature and addressees, a list's cell), where a line break would start a line of the sender's
 * choosing. (Control characters are refused for every field before validation: body-parsing.ts.)
 */
export function SingleLine(options?: ValidationOptions): PropertyDecorator {
  return Matches(/^[^\t\n\r\u0085\u2028\u2029]*$/, { message: ({ property }) => `${property} must be a single line (no line break or tab)`, ...options });
}

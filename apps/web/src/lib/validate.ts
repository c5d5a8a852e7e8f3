import { z } from "zod";

export type FieldErrors = Record<string, string>;

export type Validation<T> = { ok: true; data: T } | { ok: false; errors: FieldErrors };

/** Words a person reads beside a field, for the issues our schemas can raise. */
function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === "too_small" && issue.minimum === 1) return "Required";
  if (issue.code === "too_small") return `At least ${issue.minimum} characters`;
  if (issue.code === "too_big") return `At most ${issue.maximum} characters`;
  if (issue.code === "invalid_format" && issue.format === "email") return "Enter a valid email address";
  return issue.message;
}

/**
 * Checks form values with the same zod schema the server uses: the parsed data (trimmed,
 * lower-cased) when valid, else the first message for each field.
 */
export function validate<S extends z.ZodType>(schema: S, values: unknown): Validation<z.output<S>> {
  const result = schema.safeParse(values);
  if (result.success) return { ok: true, data: result.data };
  const { fieldErrors, formErrors } = z.flattenError(result.error, describeIssue);
  const errors: FieldErrors = {};
  for (const [field, messages] of Object.entries(fieldErrors)) {
    const first = (messages as string[] | undefined)?.[0];
    if (first) errors[field] = first;
  }
  if (formErrors[0]) errors.form = formErrors[0];
  return { ok: false, errors };
}

import { type ChangeEvent, useEffect, useRef, useState } from "react";
import { describeError, getServerFieldErrors } from "./api-errors.ts";
import type { FieldErrors } from "./validate.ts";

/**
 * A form's text values and its errors: `errors.form` for the whole form, the rest by field name.
 * When errors appear, focus moves to the first invalid field so keyboard and screen reader users
 * land on it.
 */
export function useForm<V extends Record<string, string>>(initial: V) {
  const [values, setValues] = useState(initial);
  const [errors, setErrors] = useState<FieldErrors>({});
  const formRef = useRef<HTMLFormElement>(null);

  useEffect(() => {
    if (Object.keys(errors).length === 0) return;
    formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [errors]);

  /** Props for a `<Field>`: its value, its error, and a change handler that clears that error. */
  function field(name: keyof V & string) {
    return {
      name,
      value: values[name],
      error: errors[name],
      onChange(event: ChangeEvent<HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement>) {
        const value = event.target.value;
        setValues((current) => ({ ...current, [name]: value }));
        setErrors(({ [name]: _field, form: _form, ...rest }) => rest);
      },
    };
  }

  /** Puts a failed call's message beside the field it concerns, or above the form. */
  function showServerError(error: unknown) {
    const fields: FieldErrors = {};
    for (const [name, message] of Object.entries(getServerFieldErrors(error))) {
      if (name in initial) fields[name] = message;
    }
    setErrors(Object.keys(fields).length > 0 ? fields : { form: describeError(error) });
  }

  /** Back to the initial values, or to `next` (fresh data the form now starts from). */
  function reset(next: V = initial) {
    setValues(next);
    setErrors({});
  }

  return { values, errors, setErrors, formRef, field, showServerError, reset };
}

import {
  type InputHTMLAttributes,
  type ReactNode,
  type SelectHTMLAttributes,
  type TextareaHTMLAttributes,
  useId,
} from "react";

type CommonProps = {
  label: string;
  /** Shown beside the field, announced with it (aria-describedby), and marks it invalid. */
  error?: string | undefined;
  /** A short explanation under the field, announced with it (aria-describedby). */
  hint?: ReactNode;
  optional?: boolean;
};

type FieldProps = CommonProps &
  (
    | ({ multiline?: false } & InputHTMLAttributes<HTMLInputElement>)
    | ({ multiline: true } & TextareaHTMLAttributes<HTMLTextAreaElement>)
  );

/** A labelled input (or textarea) with its hint and error text beside it. */
export function Field({ label, error, hint, optional, ...control }: FieldProps) {
  const { a11y, after } = useDescribed({ label, error, hint, optional });
  return (
    <div className="field">
      <Label htmlFor={a11y.id} label={label} optional={optional} />
      {control.multiline ? (
        <textarea {...withoutMultiline(control)} {...a11y} />
      ) : (
        <input {...withoutMultiline(control)} {...a11y} />
      )}
      {after}
    </div>
  );
}

type SelectFieldProps = CommonProps &
  SelectHTMLAttributes<HTMLSelectElement> & {
    options: readonly { value: string; label: string }[];
  };

/** A labelled `<select>`, with its hint and error text beside it as for `Field`. */
export function SelectField({ label, error, hint, optional, options, ...control }: SelectFieldProps) {
  const { a11y, after } = useDescribed({ label, error, hint, optional });
  return (
    <div className="field">
      <Label htmlFor={a11y.id} label={label} optional={optional} />
      <select {...control} {...a11y}>
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
      {after}
    </div>
  );
}

function Label({
  htmlFor,
  label,
  optional,
}: {
  htmlFor: string;
  label: string;
  optional?: boolean | undefined;
}) {
  return (
    <label htmlFor={htmlFor}>
      {label}
      {optional && <span className="optional"> (optional)</span>}
    </label>
  );
}

/** The control's id and aria attributes, and the hint and error shown after it. */
function useDescribed({ error, hint }: CommonProps) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [error ? errorId : undefined, hint ? hintId : undefined].filter(Boolean).join(" ");
  const a11y = {
    id,
    "aria-invalid": error ? true : undefined,
    "aria-describedby": describedBy || undefined,
  };
  const after = (
    <>
      {hint && (
        <p className="field-hint" id={hintId}>
          {hint}
        </p>
      )}
      {error && (
        <p className="field-error" id={errorId}>
          {error}
        </p>
      )}
    </>
  );
  return { a11y, after };
}

function withoutMultiline<T extends { multiline?: boolean }>({ multiline: _multiline, ...rest }: T) {
  return rest;
}

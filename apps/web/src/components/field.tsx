import { type InputHTMLAttributes, type TextareaHTMLAttributes, useId } from "react";

type CommonProps = {
  label: string;
  /** Shown beside the field, announced with it (aria-describedby), and marks it invalid. */
  error?: string | undefined;
  optional?: boolean;
};

type FieldProps = CommonProps &
  (
    | ({ multiline?: false } & InputHTMLAttributes<HTMLInputElement>)
    | ({ multiline: true } & TextareaHTMLAttributes<HTMLTextAreaElement>)
  );

/** A labelled input (or textarea) with its error text beside it. */
export function Field({ label, error, optional, ...control }: FieldProps) {
  const id = useId();
  const errorId = `${id}-error`;
  const a11y = {
    id,
    "aria-invalid": error ? true : undefined,
    "aria-describedby": error ? errorId : undefined,
  };
  return (
    <div className="field">
      <label htmlFor={id}>
        {label}
        {optional && <span className="optional"> (optional)</span>}
      </label>
      {control.multiline ? (
        <textarea {...withoutMultiline(control)} {...a11y} />
      ) : (
        <input {...withoutMultiline(control)} {...a11y} />
      )}
      {error && (
        <p className="field-error" id={errorId}>
          {error}
        </p>
      )}
    </div>
  );
}

function withoutMultiline<T extends { multiline?: boolean }>({ multiline: _multiline, ...rest }: T) {
  return rest;
}

import type { ReactNode } from "react";
import { describeError } from "../lib/api-errors.ts";

export function Loading({ children = "Loading…" }: { children?: ReactNode }) {
  return (
    <p className="state" role="status">
      <span className="spinner" aria-hidden="true" /> {children}
    </p>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="state empty">{children}</p>;
}

/** A failed load, in words, with a way to try again. */
export function LoadError({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  return (
    <div className="state error" role="alert">
      <p className="state-message">{describeError(error)}</p>
      {onRetry && (
        <button type="button" className="secondary" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}

/** A form-level failure (one that belongs to no single field). */
export function FormError({ children }: { children: ReactNode }) {
  if (!children) return null;
  return (
    <p className="form-error" role="alert">
      {children}
    </p>
  );
}

import { type ReactNode, useRef } from "react";

type ConfirmButtonProps = {
  /** The button that opens the question, e.g. "Delete user". */
  children: ReactNode;
  question: ReactNode;
  confirmLabel: string;
  onConfirm: () => void;
  disabled?: boolean;
  /** The opening button's accessible name, when its text alone is ambiguous ("Delete" which item?). */
  label?: string;
};

/**
 * A button that asks first, in a native modal <dialog>: focus moves into it (to Cancel, its first
 * button), Escape cancels, and focus returns to the button when it closes.
 */
export function ConfirmButton(props: ConfirmButtonProps) {
  const { children, question, confirmLabel, onConfirm, disabled, label } = props;
  const dialog = useRef<HTMLDialogElement>(null);
  return (
    <>
      <button
        type="button"
        className="danger"
        aria-label={label}
        disabled={disabled}
        onClick={() => dialog.current?.showModal()}
      >
        {children}
      </button>
      <dialog ref={dialog} className="confirm">
        <form
          method="dialog"
          onSubmit={(event) => {
            const submitter = (event.nativeEvent as SubmitEvent).submitter;
            if (submitter instanceof HTMLButtonElement && submitter.value === "confirm") onConfirm();
          }}
        >
          <p>{question}</p>
          <div className="actions">
            <button type="submit" value="cancel" className="secondary">
              Cancel
            </button>
            <button type="submit" value="confirm" className="danger">
              {confirmLabel}
            </button>
          </div>
        </form>
      </dialog>
    </>
  );
}

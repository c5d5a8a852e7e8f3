import { changePasswordInput } from "@app/api/schemas";
import { useMutation } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { Field } from "../components/field.tsx";
import { FormError } from "../components/states.tsx";
import { useForm } from "../lib/use-form.ts";
import { validate } from "../lib/validate.ts";
import { useTRPC } from "../trpc.ts";
import { useRefreshUser } from "./use-refresh-user.ts";

/**
 * The signed-in person changes their own password, giving the current one (`auth.changePassword`).
 * A wrong current password is the server's field error, shown beside "Current password"; too many
 * wrong ones are throttled as sign-ins are, and say how long to wait. This session stays signed
 * in; the server ends the others.
 */
export function ChangePasswordForm({ userId }: { userId: number }) {
  const trpc = useTRPC();
  // The account's version moves on with its password: refetch it, or the details form's next save
  // would be refused as if someone else had changed the user.
  const refreshUser = useRefreshUser(userId);
  const form = useForm({ currentPassword: "", newPassword: "" });
  const [changed, setChanged] = useState(false);
  const change = useMutation(
    trpc.auth.changePassword.mutationOptions({
      onSuccess: async () => {
        form.reset();
        setChanged(true);
        await refreshUser();
      },
      onError: form.showServerError,
    }),
  );

  function submit(event: FormEvent) {
    event.preventDefault();
    setChanged(false);
    const result = validate(changePasswordInput, form.values);
    if (result.ok) change.mutate(result.data);
    else form.setErrors(result.errors);
  }

  return (
    <form ref={form.formRef} onSubmit={submit} noValidate aria-label="Change password">
      <div className="row">
        <Field
          label="Current password"
          type="password"
          autoComplete="current-password"
          {...form.field("currentPassword")}
        />
        <Field
          label="New password"
          type="password"
          autoComplete="new-password"
          hint="8 to 128 characters. Your other sessions will be signed out."
          {...form.field("newPassword")}
        />
      </div>
      <FormError>{form.errors.form}</FormError>
      <div className="actions">
        <button type="submit" disabled={change.isPending}>
          {change.isPending ? "Changing…" : "Change password"}
        </button>
        {changed && (
          <p className="notice inline" role="status">
            Password changed. Your other sessions are signed out.
          </p>
        )}
      </div>
    </form>
  );
}

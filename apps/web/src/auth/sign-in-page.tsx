import { signInInput } from "@app/api/schemas";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { Field } from "../components/field.tsx";
import { FormError } from "../components/states.tsx";
import { useDocumentTitle } from "../lib/use-document-title.ts";
import { useForm } from "../lib/use-form.ts";
import { validate } from "../lib/validate.ts";
import { Link, readNotice } from "../router.tsx";
import { useTRPCClient } from "../trpc.ts";
import { startSession } from "./session.ts";

/**
 * Email and password. A wrong password and an unknown email get the server's one answer, "Wrong
 * email or password", said once above the form (never beside one field, which would say which);
 * too many failures say how long to wait.
 */
export function SignInPage() {
  useDocumentTitle("Sign in");
  const client = useTRPCClient();
  const queryClient = useQueryClient();
  const [notice] = useState(readNotice);
  const form = useForm({ email: "", password: "" });
  const signIn = useMutation({
    // Keeps only the user: the answer's token is dropped here, the cookie is the session.
    mutationFn: async (input: { email: string; password: string }) =>
      (await client.auth.signIn.mutate(input)).user,
    onSuccess: (user) => startSession(queryClient, user),
    onError: form.showServerError,
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    const result = validate(signInInput, form.values);
    if (result.ok) signIn.mutate(result.data);
    else form.setErrors(result.errors);
  }

  return (
    <>
      <h1>Sign in</h1>
      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      <section className="card narrow">
        <form ref={form.formRef} onSubmit={submit} noValidate aria-label="Sign in">
          <Field label="Email" type="email" autoComplete="username" {...form.field("email")} />
          <Field
            label="Password"
            type="password"
            autoComplete="current-password"
            {...form.field("password")}
          />
          <FormError>{form.errors.form}</FormError>
          <div className="actions">
            <button type="submit" disabled={signIn.isPending}>
              {signIn.isPending ? "Signing in…" : "Sign in"}
            </button>
          </div>
        </form>
      </section>
      <p>
        No account yet? <Link href="/signup">Sign up</Link>
      </p>
    </>
  );
}

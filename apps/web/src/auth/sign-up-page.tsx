import { signUpInput } from "@app/api/schemas";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import type { FormEvent } from "react";
import { Field } from "../components/field.tsx";
import { FormError } from "../components/states.tsx";
import { useDocumentTitle } from "../lib/use-document-title.ts";
import { useForm } from "../lib/use-form.ts";
import { validate } from "../lib/validate.ts";
import { Link } from "../router.tsx";
import { useTRPCClient } from "../trpc.ts";
import { startSession } from "./session.ts";

/** Name, email and password: a new account, signed in at once. A taken email shows beside Email. */
export function SignUpPage() {
  useDocumentTitle("Sign up");
  const client = useTRPCClient();
  const queryClient = useQueryClient();
  const form = useForm({ name: "", email: "", password: "" });
  const signUp = useMutation({
    // Keeps only the user: the answer's token is dropped here, the cookie is the session.
    mutationFn: async (input: { name: string; email: string; password: string }) =>
      (await client.auth.signUp.mutate(input)).user,
    onSuccess: (user) => startSession(queryClient, user),
    onError: form.showServerError,
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    // The server's own schema: the same rules (a password of 8 to 128 characters), checked first.
    const result = validate(signUpInput, form.values);
    if (result.ok) signUp.mutate(result.data);
    else form.setErrors(result.errors);
  }

  return (
    <>
      <h1>Create an account</h1>
      <section className="card narrow">
        <form ref={form.formRef} onSubmit={submit} noValidate aria-label="Sign up">
          <Field label="Name" autoComplete="name" {...form.field("name")} />
          <Field label="Email" type="email" autoComplete="email" {...form.field("email")} />
          <Field label="Password" type="password" autoComplete="new-password" {...form.field("password")} />
          <FormError>{form.errors.form}</FormError>
          <div className="actions">
            <button type="submit" disabled={signUp.isPending}>
              {signUp.isPending ? "Signing up…" : "Sign up"}
            </button>
          </div>
        </form>
      </section>
      <p>
        Already have an account? <Link href="/signin">Sign in</Link>
      </p>
    </>
  );
}

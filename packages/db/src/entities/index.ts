import { ApiToken } from "./api-token.ts";
import { Change, ChangeHead } from "./change.ts";
import { Item } from "./item.ts";
import { Session } from "./session.ts";
import { SignInAttempt } from "./sign-in-attempt.ts";
import { User } from "./user.ts";

/** Every entity the ORM maps, in one list (createOrm, the Kysely binding). */
export const entities = [User, Item, Session, ApiToken, SignInAttempt, Change, ChangeHead] as const;

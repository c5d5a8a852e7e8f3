import { Migration } from "@mikro-orm/migrations";

export class Migration20261201041435_accounts extends Migration {
  override name = "Migration20261201041435_accounts";

  override up(): void | Promise<void> {
    this.addSql(
      `create table "sign_in_attempts" ("id" serial primary key, "email" varchar(254) not null, "ip" varchar(45) not null, "at" timestamptz(3) not null);`,
    );
    this.addSql(`create index "sign_in_attempts_email_at_index" on "sign_in_attempts" ("email", "at");`);
    this.addSql(`create index "sign_in_attempts_ip_at_index" on "sign_in_attempts" ("ip", "at");`);

    this.addSql(
      `create table "sessions" ("id" serial primary key, "user_id" int not null, "token_hash" varchar(64) not null, "created_at" timestamptz(3) not null, "last_used_at" timestamptz(3) not null, "expires_at" timestamptz(3) not null);`,
    );
    this.addSql(`create index "sessions_user_id_index" on "sessions" ("user_id");`);
    this.addSql(`alter table "sessions" add constraint "sessions_token_hash_unique" unique ("token_hash");`);

    this.addSql(
      `create table "api_tokens" ("id" serial primary key, "user_id" int not null, "name" varchar(100) not null, "token_hash" varchar(64) not null, "created_at" timestamptz(3) not null, "expires_at" timestamptz(3) null, "last_used_at" timestamptz(3) null);`,
    );
    this.addSql(`create index "api_tokens_user_id_index" on "api_tokens" ("user_id");`);
    this.addSql(
      `alter table "api_tokens" add constraint "api_tokens_token_hash_unique" unique ("token_hash");`,
    );

    this.addSql(
      `alter table "users" add "role" text not null default 'user', add "password_hash" varchar(255) null;`,
    );
    this.addSql(`alter table "users" add constraint "users_role_check" check ("role" in ('user', 'admin'));`);

    this.addSql(
      `alter table "sessions" add constraint "sessions_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`,
    );

    this.addSql(
      `alter table "api_tokens" add constraint "api_tokens_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "sign_in_attempts" cascade;`);
    this.addSql(`drop table if exists "sessions" cascade;`);
    this.addSql(`drop table if exists "api_tokens" cascade;`);

    this.addSql(`alter table "users" drop constraint "users_role_check";`);
    this.addSql(`alter table "users" drop column "role", drop column "password_hash";`);
  }
}

import { Migration } from "@mikro-orm/migrations";

export class Migration20261201041435_accounts extends Migration {
  override name = "Migration20261201041435_accounts";

  override up(): void | Promise<void> {
    this.addSql(
      `create table \`sign_in_attempts\` (\`id\` integer not null primary key autoincrement, \`email\` text not null, \`ip\` text not null, \`at\` datetime not null);`,
    );
    this.addSql(
      `create index \`sign_in_attempts_email_at_index\` on \`sign_in_attempts\` (\`email\`, \`at\`);`,
    );
    this.addSql(`create index \`sign_in_attempts_ip_at_index\` on \`sign_in_attempts\` (\`ip\`, \`at\`);`);

    this.addSql(
      `create table \`sessions\` (\`id\` integer not null primary key autoincrement, \`user_id\` integer not null, \`token_hash\` text not null, \`created_at\` datetime not null, \`last_used_at\` datetime not null, \`expires_at\` datetime not null, constraint \`sessions_user_id_foreign\` foreign key (\`user_id\`) references \`users\` (\`id\`) on delete cascade);`,
    );
    this.addSql(`create index \`sessions_user_id_index\` on \`sessions\` (\`user_id\`);`);
    this.addSql(`create unique index \`sessions_token_hash_unique\` on \`sessions\` (\`token_hash\`);`);

    this.addSql(
      `create table \`api_tokens\` (\`id\` integer not null primary key autoincrement, \`user_id\` integer not null, \`name\` text not null, \`token_hash\` text not null, \`created_at\` datetime not null, \`expires_at\` datetime null, \`last_used_at\` datetime null, constraint \`api_tokens_user_id_foreign\` foreign key (\`user_id\`) references \`users\` (\`id\`) on delete cascade);`,
    );
    this.addSql(`create index \`api_tokens_user_id_index\` on \`api_tokens\` (\`user_id\`);`);
    this.addSql(`create unique index \`api_tokens_token_hash_unique\` on \`api_tokens\` (\`token_hash\`);`);

    // Columns added in place. The generated rebuild of `users` (copy, drop, rename) runs in the
    // migration's transaction, where `pragma foreign_keys = off` does nothing, so dropping the old
    // table would have deleted every item through ON DELETE CASCADE.
    this.addSql(
      `alter table \`users\` add column \`role\` text not null default 'user' check (\`role\` in ('user', 'admin'));`,
    );
    this.addSql(`alter table \`users\` add column \`password_hash\` text null;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists \`sign_in_attempts\`;`);
    this.addSql(`drop table if exists \`sessions\`;`);
    this.addSql(`drop table if exists \`api_tokens\`;`);

    this.addSql(`alter table \`users\` drop column \`password_hash\`;`);
    this.addSql(`alter table \`users\` drop column \`role\`;`);
  }
}

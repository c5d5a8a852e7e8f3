import { Migration } from "@mikro-orm/migrations";

export class Migration20261125021143 extends Migration {
  override name = "Migration20261125021143";

  override up(): void | Promise<void> {
    this.addSql(
      `create table \`users\` (\`id\` integer not null primary key autoincrement, \`name\` text not null, \`email\` text not null, \`created_at\` datetime not null, \`updated_at\` datetime not null, \`version\` integer not null default 1);`,
    );
    this.addSql(`create unique index \`users_email_unique\` on \`users\` (\`email\`);`);

    this.addSql(
      `create table \`items\` (\`id\` integer not null primary key autoincrement, \`title\` text not null, \`description\` text null, \`owner_id\` integer not null, \`created_at\` datetime not null, \`updated_at\` datetime not null, constraint \`items_owner_id_foreign\` foreign key (\`owner_id\`) references \`users\` (\`id\`) on delete cascade);`,
    );
    this.addSql(`create index \`items_owner_id_index\` on \`items\` (\`owner_id\`);`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists \`users\`;`);
    this.addSql(`drop table if exists \`items\`;`);
  }
}

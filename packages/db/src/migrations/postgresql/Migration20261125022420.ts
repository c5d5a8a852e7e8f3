import { Migration } from "@mikro-orm/migrations";

export class Migration20261125022420 extends Migration {
  override name = "Migration20261125022420";

  override up(): void | Promise<void> {
    this.addSql(
      `create table "users" ("id" serial primary key, "name" varchar(100) not null, "email" varchar(254) not null, "created_at" timestamptz(3) not null, "updated_at" timestamptz(3) not null, "version" int not null default 1);`,
    );
    this.addSql(`alter table "users" add constraint "users_email_unique" unique ("email");`);

    this.addSql(
      `create table "items" ("id" serial primary key, "title" varchar(200) not null, "description" varchar(2000) null, "owner_id" int not null, "created_at" timestamptz(3) not null, "updated_at" timestamptz(3) not null);`,
    );
    this.addSql(`create index "items_owner_id_index" on "items" ("owner_id");`);

    this.addSql(
      `alter table "items" add constraint "items_owner_id_foreign" foreign key ("owner_id") references "users" ("id") on delete cascade;`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "items" drop constraint "items_owner_id_foreign";`);

    this.addSql(`drop table if exists "users" cascade;`);
    this.addSql(`drop table if exists "items" cascade;`);
  }
}

import { Migration } from "@mikro-orm/migrations";

export class Migration20261201045541_changes extends Migration {
  override name = "Migration20261201045541_changes";

  override up(): void | Promise<void> {
    this.addSql(
      `create table "changes" ("id" int not null, "at" timestamptz(3) not null, "actor_id" int null, "entity" varchar(8) not null, "entity_id" int not null, "owner_id" int not null, "op" varchar(8) not null, "version" int null, "fields" text null, primary key ("id"));`,
    );
    this.addSql(`create index "changes_owner_id_id_index" on "changes" ("owner_id", "id");`);
    this.addSql(
      `create index "changes_entity_entity_id_id_index" on "changes" ("entity", "entity_id", "id");`,
    );

    this.addSql(
      `create table "change_head" ("id" int not null, "last_id" int not null, "pruned_through" int not null, primary key ("id"));`,
    );
    // The head's one row: no id handed out, nothing pruned.
    this.addSql(`insert into "change_head" ("id", "last_id", "pruned_through") values (1, 0, 0);`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "changes" cascade;`);
    this.addSql(`drop table if exists "change_head" cascade;`);
  }
}

import { Migration } from "@mikro-orm/migrations";

export class Migration20261201045540_changes extends Migration {
  override name = "Migration20261201045540_changes";

  override up(): void | Promise<void> {
    this.addSql(
      `create table \`changes\` (\`id\` integer not null primary key, \`at\` datetime not null, \`actor_id\` integer null, \`entity\` text not null, \`entity_id\` integer not null, \`owner_id\` integer not null, \`op\` text not null, \`version\` integer null, \`fields\` text null);`,
    );
    this.addSql(`create index \`changes_owner_id_id_index\` on \`changes\` (\`owner_id\`, \`id\`);`);
    this.addSql(
      `create index \`changes_entity_entity_id_id_index\` on \`changes\` (\`entity\`, \`entity_id\`, \`id\`);`,
    );

    this.addSql(
      `create table \`change_head\` (\`id\` integer not null primary key, \`last_id\` integer not null, \`pruned_through\` integer not null);`,
    );
    // The head's one row: no id handed out, nothing pruned.
    this.addSql(`insert into \`change_head\` (\`id\`, \`last_id\`, \`pruned_through\`) values (1, 0, 0);`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists \`changes\`;`);
    this.addSql(`drop table if exists \`change_head\`;`);
  }
}

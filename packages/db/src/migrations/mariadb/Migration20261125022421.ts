import { Migration } from "@mikro-orm/migrations";

export class Migration20261125022421 extends Migration {
  override name = "Migration20261125022421";

  override up(): void | Promise<void> {
    this.addSql(
      `create table \`users\` (\`id\` int unsigned not null auto_increment primary key, \`name\` varchar(100) not null, \`email\` varchar(254) not null, \`created_at\` datetime(3) not null, \`updated_at\` datetime(3) not null, \`version\` int not null default 1) default character set utf8mb4 engine = InnoDB;`,
    );
    this.addSql(`alter table \`users\` add unique \`users_email_unique\` (\`email\`);`);

    this.addSql(
      `create table \`items\` (\`id\` int unsigned not null auto_increment primary key, \`title\` varchar(200) not null, \`description\` varchar(2000) null, \`owner_id\` int unsigned not null, \`created_at\` datetime(3) not null, \`updated_at\` datetime(3) not null) default character set utf8mb4 engine = InnoDB;`,
    );
    this.addSql(`alter table \`items\` add index \`items_owner_id_index\` (\`owner_id\`);`);

    this.addSql(
      `alter table \`items\` add constraint \`items_owner_id_foreign\` foreign key (\`owner_id\`) references \`users\` (\`id\`) on delete cascade;`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table \`items\` drop foreign key \`items_owner_id_foreign\`;`);

    this.addSql(`drop table if exists \`users\`;`);
    this.addSql(`drop table if exists \`items\`;`);
  }
}

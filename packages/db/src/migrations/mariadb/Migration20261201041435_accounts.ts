import { Migration } from "@mikro-orm/migrations";

export class Migration20261201041435_accounts extends Migration {
  override name = "Migration20261201041435_accounts";

  override up(): void | Promise<void> {
    this.addSql(
      `create table \`sign_in_attempts\` (\`id\` int unsigned not null auto_increment primary key, \`email\` varchar(254) not null, \`ip\` varchar(45) not null, \`at\` datetime(3) not null) default character set utf8mb4 engine = InnoDB;`,
    );
    this.addSql(
      `alter table \`sign_in_attempts\` add index \`sign_in_attempts_email_at_index\` (\`email\`, \`at\`);`,
    );
    this.addSql(
      `alter table \`sign_in_attempts\` add index \`sign_in_attempts_ip_at_index\` (\`ip\`, \`at\`);`,
    );

    this.addSql(
      `create table \`sessions\` (\`id\` int unsigned not null auto_increment primary key, \`user_id\` int unsigned not null, \`token_hash\` varchar(64) not null, \`created_at\` datetime(3) not null, \`last_used_at\` datetime(3) not null, \`expires_at\` datetime(3) not null) default character set utf8mb4 engine = InnoDB;`,
    );
    this.addSql(`alter table \`sessions\` add index \`sessions_user_id_index\` (\`user_id\`);`);
    this.addSql(`alter table \`sessions\` add unique \`sessions_token_hash_unique\` (\`token_hash\`);`);

    this.addSql(
      `create table \`api_tokens\` (\`id\` int unsigned not null auto_increment primary key, \`user_id\` int unsigned not null, \`name\` varchar(100) not null, \`token_hash\` varchar(64) not null, \`created_at\` datetime(3) not null, \`expires_at\` datetime(3) null, \`last_used_at\` datetime(3) null) default character set utf8mb4 engine = InnoDB;`,
    );
    this.addSql(`alter table \`api_tokens\` add index \`api_tokens_user_id_index\` (\`user_id\`);`);
    this.addSql(`alter table \`api_tokens\` add unique \`api_tokens_token_hash_unique\` (\`token_hash\`);`);

    this.addSql(
      `alter table \`users\` add \`role\` enum('user','admin') not null default 'user', add \`password_hash\` varchar(255) null;`,
    );

    this.addSql(
      `alter table \`sessions\` add constraint \`sessions_user_id_foreign\` foreign key (\`user_id\`) references \`users\` (\`id\`) on delete cascade;`,
    );

    this.addSql(
      `alter table \`api_tokens\` add constraint \`api_tokens_user_id_foreign\` foreign key (\`user_id\`) references \`users\` (\`id\`) on delete cascade;`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists \`sign_in_attempts\`;`);
    this.addSql(`drop table if exists \`sessions\`;`);
    this.addSql(`drop table if exists \`api_tokens\`;`);

    this.addSql(`alter table \`users\` drop column \`role\`, drop column \`password_hash\`;`);
  }
}

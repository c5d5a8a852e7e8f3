// MikroORM's CLI configuration as if an entity had changed and no migration had been written for
// it: the server's own (mikro-orm.config.ts) without the dialect's last migration, so the entities
// describe tables that no listed migration creates. For mikro-orm-cli.test.ts only.
import serverConfig from "../../mikro-orm.config.ts";

const options = await serverConfig;
const migrationsList = options.migrations?.migrationsList?.slice(0, -1) ?? [];

export default { ...options, migrations: { ...options.migrations, migrationsList } };

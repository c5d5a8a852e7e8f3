import { Configuration } from "@mikro-orm/sql";
import { expect, it } from "vitest";
import { createScratchDatabase, describeEachDatabase } from "../testing/index.ts";
import { cliOrmOptions } from "./options.ts";

await describeEachDatabase("MikroORM's CLI configuration", (dialect) => {
  // `npm run db -- debug` checks the database as MikroORM's CLI does (CLIHelper.isDBConnected):
  // it connects the configuration's driver alone, with no ORM initialized. On MariaDB that once
  // failed inside MikroORM and the command printed "database connection failed (false)".
  it("connects its driver alone and finds the database reachable, as `db -- debug` checks it", async () => {
    await using database = await createScratchDatabase(dialect);
    const driver = new Configuration(await cliOrmOptions({ url: database.url })).getDriver();
    await driver.connect();
    try {
      await expect(driver.getConnection().checkConnection()).resolves.toEqual({ ok: true });
    } finally {
      await driver.close(true);
    }
  });
});

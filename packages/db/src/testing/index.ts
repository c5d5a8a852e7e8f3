// Test support only: fresh databases per test and the database matrix. Not for production code.
export { describeEachDatabase, testedDialects } from "./database-matrix.ts";
export {
  adminUrls,
  createScratchDatabase,
  type ScratchDatabase,
  unavailableReason,
} from "./scratch-database.ts";

import { authorize } from "./access.ts";
import { t } from "./init.ts";
import { observe } from "./observe.ts";
import { deferredUnitOfWork, unitOfWork } from "./unit-of-work.ts";

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

/**
 * Every procedure is observed (observe.ts: a span and an outcome), authorized (access.ts), then runs
 * in its own unit of work (unit-of-work.ts).
 */
export const procedure = t.procedure.use(observe).use(authorize).use(unitOfWork);

/** A mutation that hashes or verifies a password before it opens its one transaction. */
export const deferredProcedure = t.procedure.use(observe).use(authorize).use(deferredUnitOfWork);

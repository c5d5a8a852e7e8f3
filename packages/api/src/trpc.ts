import { t } from "./init.ts";
import { unitOfWork } from "./unit-of-work.ts";

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

/** Every procedure runs in its own unit of work (see unit-of-work.ts). */
export const procedure = t.procedure.use(unitOfWork);

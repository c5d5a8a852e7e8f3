// Browser-safe: zod only. The web app and the CLI validate with these same schemas.
export { byIdInput, cursor, deletedOutput, id, limit, timestamp } from "./common.ts";
export {
  type CreateItemInput,
  createItemInput,
  type ItemOutput,
  itemDescription,
  itemOutput,
  itemPage,
  itemTitle,
  type ListItemsInput,
  listItemsInput,
  type UpdateItemInput,
  updateItemInput,
} from "./item.ts";
export {
  type CreateUserInput,
  createUserInput,
  type ListUsersInput,
  listUsersInput,
  type UpdateUserInput,
  type UserOutput,
  updateUserInput,
  userEmail,
  userName,
  userOutput,
  userPage,
  userVersion,
} from "./user.ts";

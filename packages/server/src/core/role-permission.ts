import { echoInput } from "./echo.js";
import { TesseraError } from "./errors.js";
import { isIdentifierInput } from "./identifiers.js";
import type { JsonObject, JsonValue } from "./model/index.js";
import { HOLDS_BAD_NAME, rolePermissionProblems } from "./roles.js";

/** The flags a permission object may carry besides per-database grants. */
const ROLE_FLAGS = ["super_user", "cluster_user", "structure_user"] as const;
const TABLE_GRANTS = ["read", "insert", "update", "delete"] as const;

function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Checks a role's permission object in HarperDB's shape (spec 002's
 * `add_role` and `alter_role`):
 * `{super_user?, cluster_user?, structure_user?, <database>: {tables: {<table>:
 * {read, insert, update, delete, attribute_permissions?}}}}`. A super user
 * role holds everything already, so it may not list grants beside the flag.
 * The core's own checks (size, hidden text) come first, in one message.
 * Every way in that writes a role (the operations API, the admin API, the CLI)
 * checks with it.
 *
 * @throws `invalid_request` naming every problem.
 */
export function validateRolePermission(permission: JsonObject): void {
  const problems = [...rolePermissionProblems(permission), ...shapeProblems(permission)];
  if (problems.length > 0) {
    throw new TesseraError("invalid_request", problems.join(". "));
  }
}

/** Where `permission` departs from HarperDB's shape, in HarperDB's words. */
function shapeProblems(permission: JsonObject): string[] {
  const problems: string[] = [];
  for (const flag of ROLE_FLAGS) {
    const value = permission[flag];
    const arrayOfNames =
      flag === "structure_user" &&
      Array.isArray(value) &&
      value.every((v) => typeof v === "string");
    if (value !== undefined && typeof value !== "boolean" && !arrayOfNames) {
      problems.push(
        flag === "structure_user"
          ? `'${flag}' must be a boolean or a list of database names`
          : `'${flag}' must be a boolean`,
      );
    }
  }
  const databases = Object.keys(permission).filter(
    (key) => !(ROLE_FLAGS as readonly string[]).includes(key),
  );
  if (permission.super_user === true && databases.length > 0) {
    problems.push("A super_user role may not have other permissions set");
  }
  for (const database of databases) {
    problems.push(...databaseProblems(database, permission[database]));
  }
  return problems;
}

/** The problems of one database's grants: `{tables: {<table>: {read, insert, update, delete}}}`. */
function databaseProblems(database: string, grants: JsonValue | undefined): string[] {
  if (!isIdentifierInput(database)) {
    return [`A database name ${HOLDS_BAD_NAME}`];
  }
  const tables = isObject(grants) ? grants.tables : undefined;
  if (!isObject(grants) || !isObject(tables)) {
    return [`'${echoInput(database)}' must be an object with a 'tables' object`];
  }
  const problems: string[] = [];
  for (const [table, grant] of Object.entries(tables)) {
    if (!isIdentifierInput(table)) {
      problems.push(`A table name in '${echoInput(database)}' ${HOLDS_BAD_NAME}`);
      continue;
    }
    const path = `${echoInput(database)}.tables.${echoInput(table)}`;
    if (!isObject(grant)) {
      problems.push(`'${path}' must be an object`);
      continue;
    }
    for (const name of TABLE_GRANTS) {
      if (typeof grant[name] !== "boolean") {
        problems.push(`'${path}.${name}' must be a boolean`);
      }
    }
    const attributes = grant.attribute_permissions;
    if (attributes !== undefined && attributes !== null && !Array.isArray(attributes)) {
      problems.push(`'${path}.attribute_permissions' must be an array`);
    }
  }
  return problems;
}

// How the official SDK generators (Tea / Darabonba) name things, so that the code samples use the names the
// SDKs really have. Wire names are PascalCase (DBInstanceId, VSwitchId, SecurityIPList); the SDKs derive:
//   TypeScript/Java model fields  DBInstanceId, vSwitchId, securityIPList   (teaFieldName)
//   Python keyword arguments      dbinstance_id, v_switch_id, security_iplist (pythonName)
//   Go struct fields, Java setters the wire name itself (DBInstanceId, SetVSwitchId / setVSwitchId)
// test/explorer-catalogue.test.ts checks teaFieldName against the models of the installed @alicloud/rds20140815.
// Runs in node and in the browser: no imports.

/**
 * A leading run of three or more capitals is an acronym followed by a word (DBInstanceId, VPCId, PGBouncerPort)
 * and is kept; otherwise the first letter is lowered (Port -> port, VSwitchId -> vSwitchId).
 */
export function teaFieldName(wire: string): string {
  const run = /^[A-Z]*/.exec(wire)?.[0].length ?? 0;
  if (run >= 3) return wire;
  return wire.charAt(0).toLowerCase() + wire.slice(1);
}

/** snake_case as the Python generator writes it: a break before a capital that follows a lower-case letter or a digit, and before a digit that follows a letter. */
export function snakeCase(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Za-z])([0-9])/g, '$1_$2')
    .toLowerCase();
}

export function pythonName(wire: string): string {
  return snakeCase(teaFieldName(wire));
}

/** Client method for an Action: releaseInstancePublicConnection, describeDBInstances (TypeScript, Java). */
export function methodName(action: string): string {
  return action.charAt(0).toLowerCase() + action.slice(1);
}

/** Python client method: release_instance_public_connection, describe_dbinstance_iparray_list. */
export function pythonMethodName(action: string): string {
  return snakeCase(methodName(action));
}

// The rules RDS applies to what lives inside an instance: account and database names, passwords, descriptions,
// character sets, and the per-instance quotas (see ../shared/reference/accounts-and-databases.md). Plain logic:
// the handlers turn a refusal into the catalogued error code.
import type { Engine, InstanceRecord } from './types.js';

/** DescribeDBInstanceAttribute reports these as AccountMaxQuantity and DBMaxQuantity. */
export const ACCOUNT_LIMIT = 500;
export const DATABASE_LIMIT = 500;

/**
 * Names RDS keeps for itself (DescribeInstanceKeywords is not served; this is the documented sample plus the
 * engines' own system names), and anything starting with "localrds", which the engines use for their admin login.
 */
const RESERVED_ACCOUNTS = new Set([
  'root', 'admin', 'administrator', 'dbo', 'login', 'guest', 'sa', 'sys', 'system', 'mysql', 'aliyun_root',
  'information_schema', 'performance_schema', 'mysql_sys', 'mariadb_sys', 'replicator', 'repl', 'postgres', 'public',
  'pg_monitor', 'rdsadmin', 'aurora', 'user', 'select', 'insert', 'update', 'delete', 'drop', 'create', 'alter', 'table',
  'grant', 'revoke', 'all', 'and', 'or', 'not', 'null', 'database', 'schema', 'role', 'replication', 'superuser',
]);
const RESERVED_DATABASES = new Set([
  'mysql', 'information_schema', 'performance_schema', 'sys', 'postgres', 'template0', 'template1', 'master', 'model',
  'msdb', 'tempdb', 'distribution', 'resource', 'select', 'database', 'schema', 'table', 'user', 'all', 'null',
]);
const LOCALRDS_PREFIX = 'localrds';

export type NameProblem = 'format' | 'forbid';

/** The longest account name the instance's engine and version accept. */
export function accountNameMax(inst: Pick<InstanceRecord, 'engine' | 'engineVersion' | 'storageType'>): number {
  switch (inst.engine) {
    case 'MySQL': return parseFloat(inst.engineVersion) >= 5.7 ? 32 : 16;
    case 'MariaDB': return 16;
    case 'SQLServer': return 64;
    case 'PostgreSQL': return inst.storageType === 'local_ssd' ? 16 : 63;
  }
}

export function accountNameProblem(inst: Pick<InstanceRecord, 'engine' | 'engineVersion' | 'storageType'>, name: string): NameProblem | undefined {
  const chars = inst.engine === 'MySQL' ? /^[A-Za-z][A-Za-z0-9_]*[A-Za-z0-9]$/ : /^[a-z][a-z0-9_]*[a-z0-9]$/;
  if (name.length < 2 || name.length > accountNameMax(inst) || !chars.test(name)) return 'format';
  // PostgreSQL reserves the pg_ prefix for its own roles; the console rule is wider ("may not start with pg").
  if (inst.engine === 'PostgreSQL' && name.startsWith('pg')) return 'format';
  const lower = name.toLowerCase();
  if (RESERVED_ACCOUNTS.has(lower) || lower.startsWith(LOCALRDS_PREFIX)) return 'forbid';
  return undefined;
}

export function dbNameProblem(name: string): NameProblem | undefined {
  if (name.length < 2 || name.length > 64 || !/^[a-z][a-z0-9_-]*[a-z0-9]$/.test(name)) return 'format';
  if (RESERVED_DATABASES.has(name) || name.startsWith(LOCALRDS_PREFIX)) return 'forbid';
  return undefined;
}

const PASSWORD_SPECIALS = '!@#$%^&*()_+-=';

/** 8 to 32 characters from letters, digits and the specials, with at least three of the four kinds. */
export function passwordOk(pw: string): boolean {
  if (pw.length < 8 || pw.length > 32) return false;
  let upper = 0, lower = 0, digit = 0, special = 0;
  for (const c of pw) {
    if (c >= 'A' && c <= 'Z') upper = 1;
    else if (c >= 'a' && c <= 'z') lower = 1;
    else if (c >= '0' && c <= '9') digit = 1;
    else if (PASSWORD_SPECIALS.includes(c)) special = 1;
    else return false;
  }
  return upper + lower + digit + special >= 3;
}

/** Account and database descriptions: 2 to 256 characters, starting with a letter or a CJK ideograph, no URL. */
export function descriptionOk(d: string): boolean {
  const len = [...d].length;
  if (len < 2 || len > 256) return false;
  if (!/^[A-Za-z\u4e00-\u9fff]/u.test(d)) return false;
  return !/^https?:\/\//i.test(d);
}

export interface CharacterSet {
  charset: string;
  collate: string;
  ctype: string;
}

const MYSQL_CHARSETS = ['utf8', 'gbk', 'latin1', 'utf8mb4'];
const PG_ENCODINGS = [
  'UTF8', 'SQL_ASCII', 'KOI8U', 'KOI8R', 'WIN866', 'WIN874', 'WIN1250', 'WIN1251', 'WIN1252', 'WIN1253', 'WIN1254',
  'WIN1255', 'WIN1256', 'WIN1257', 'WIN1258', 'EUC_CN', 'EUC_KR', 'EUC_TW', 'EUC_JP', 'EUC_JIS_2004', 'MULE_INTERNAL',
  'LATIN1', 'LATIN2', 'LATIN3', 'LATIN4', 'LATIN5', 'LATIN6', 'LATIN7', 'LATIN8', 'LATIN9', 'LATIN10',
  'ISO_8859_5', 'ISO_8859_6', 'ISO_8859_7', 'ISO_8859_8',
];
/** C, POSIX, or a UTF-8 locale name such as en_US.utf8 / C.UTF-8. */
const PG_UTF8_LOCALE = /^(C|[a-z]{2,3}_[A-Z]{2})\.(utf8|UTF-8)$/;

/**
 * CharacterSetName as CreateDatabase takes it. MySQL/MariaDB: one of the four character sets (any case).
 * PostgreSQL: "charset[,collate[,ctype]]", collate defaulting to C and ctype to en_US.utf8 as documented; a
 * non-UTF-8 encoding only goes with the C or POSIX locale (PostgreSQL refuses a UTF-8 locale for it), so its
 * defaults are C. SQL Server: a collation name.
 */
export function parseCharacterSet(engine: Engine, raw: string): CharacterSet | undefined {
  const value = raw.trim();
  if (engine === 'MySQL' || engine === 'MariaDB') {
    const cs = MYSQL_CHARSETS.find((c) => c === value.toLowerCase());
    return cs ? { charset: cs, collate: '', ctype: '' } : undefined;
  }
  if (engine === 'SQLServer') return /^[A-Za-z][A-Za-z0-9_]{0,127}$/.test(value) ? { charset: value, collate: '', ctype: '' } : undefined;
  const parts = value.split(',').map((p) => p.trim());
  if (parts.length > 3) return undefined;
  const charset = PG_ENCODINGS.find((e) => e === parts[0]?.toUpperCase());
  if (!charset) return undefined;
  const utf8 = charset === 'UTF8';
  const collate = parts[1] || 'C';
  const ctype = parts[2] || (utf8 ? 'en_US.utf8' : 'C');
  const localeOk = (l: string) => l === 'C' || l === 'POSIX' || (utf8 && PG_UTF8_LOCALE.test(l));
  return localeOk(collate) && localeOk(ctype) ? { charset, collate, ctype } : undefined;
}

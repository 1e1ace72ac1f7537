// Database account operations: the accounts inside an instance's server, their passwords, locks and grants.
// Engine-dependent rules (one privileged account on MySQL, PostgreSQL-only locks, DBOwner-only grants on
// PostgreSQL) live in the handlers and src/domain; the shapes here are what every engine shares.
import { defineOp, DB_INSTANCE_ID, INSTANCE_ERRORS, OWNER_PARAMS } from './op.js';
import { bool, int, o, str } from './shapes.js';

const ACCOUNT_NAME = str('The database account name.', { required: true, example: 'app_user', max: 64, invalidCode: 'InvalidAccountName.Format' });
const PASSWORD = str('8 to 32 characters with at least three of uppercase, lowercase, digits and !@#$%^&*()_+-=. Stored only as the engine\'s verifier, never in plain text.', {
  required: true, example: 'Test123456!', min: 8, max: 32, invalidCode: 'InvalidAccountPassword.Format',
});
const ACCOUNT_DESCRIPTION = '2 to 256 characters, starting with a letter or a Chinese character; not http:// or https://.';
/** Codes every account call on a named instance can raise besides its own. */
const WRITE_ERRORS = [...INSTANCE_ERRORS, 'IncorrectDBInstanceState'] as const;

export const createAccount = defineOp({
  name: 'CreateAccount',
  group: 'accounts',
  summary: 'Creates a database account on the instance: Normal (standard) or Super (privileged). The account exists on the instance\'s server when the call answers.',
  mutates: true,
  instanceParam: 'DBInstanceId',
  params: {
    DBInstanceId: DB_INSTANCE_ID,
    AccountName: ACCOUNT_NAME,
    AccountPassword: PASSWORD,
    AccountDescription: str(ACCOUNT_DESCRIPTION, { max: 256, invalidCode: 'InvalidAccountDescription.Format' }),
    AccountType: str('Normal (default) or Super; Sysadmin exists only on SQL Server.', { enum: ['Normal', 'Super', 'Sysadmin'], default: 'Normal' }),
    CheckPolicy: bool('PostgreSQL password policy (localrds has none: only false is accepted).'),
    ...OWNER_PARAMS,
  },
  output: o.obj({}),
  errors: [...WRITE_ERRORS, 'InvalidAccountName.Format', 'InvalidAccountName.Forbid', 'InvalidAccountName.Duplicate',
    'InvalidAccountPassword.Format', 'InvalidAccountDescription.Format', 'AccountLimitExceeded', 'IncorrectAccountType',
    'InvalidEngineVersion.NotSupported', 'UnsupportedParameter'],
});

const databasePrivilege = o.obj({
  DBName: o.str(),
  AccountPrivilege: o.str('ReadWrite, ReadOnly, DDLOnly, DMLOnly or DBOwner.'),
  AccountPrivilegeDetail: o.str('The engine privileges behind the mode, comma-separated.'),
});

export const describeAccounts = defineOp({
  name: 'DescribeAccounts',
  group: 'accounts',
  summary: 'Lists the database accounts of an instance (or one, by AccountName) with their per-database privileges.',
  mutates: false,
  answerMemo: true,
  instanceParam: 'DBInstanceId',
  params: {
    DBInstanceId: DB_INSTANCE_ID,
    AccountName: str('Only this account (an unknown name gives an empty list).', { max: 64 }),
    PageSize: int('Accounts per page, default 500.', { min: 1, max: 2147483647, default: '500' }),
    PageNumber: int('Page, from 1 (default).', { min: 0, max: 2147483647, default: '1' }),
    ...OWNER_PARAMS,
  },
  output: o.obj({
    PageNumber: o.int(),
    TotalRecordCount: o.int(),
    Accounts: o.obj({
      DBInstanceAccount: o.list(o.obj({
        DBInstanceId: o.str(),
        AccountName: o.str(),
        AccountType: o.str('Normal or Super.'),
        AccountStatus: o.str('Available, or Lock for a locked PostgreSQL account.'),
        AccountDescription: o.str(),
        PrivExceeded: o.str('"0": no privilege beyond what the API granted.'),
        DatabasePrivileges: o.obj({ DatabasePrivilege: o.list(databasePrivilege) }),
        ValidUntil: o.opt(o.str('PostgreSQL only: "infinity".')),
        CreateDB: o.opt(o.str('PostgreSQL only: "t" for a privileged account.')),
        CreateRole: o.opt(o.str('PostgreSQL only: "t" for a privileged account.')),
        Replication: o.opt(o.str('PostgreSQL only: "f".')),
        BypassRLS: o.opt(o.str('PostgreSQL only: "f".')),
      })),
    }),
  }),
  errors: [...INSTANCE_ERRORS],
});

export const deleteAccount = defineOp({
  name: 'DeleteAccount',
  group: 'accounts',
  summary: 'Deletes a database account and its grants. A locked account must be unlocked first; on PostgreSQL an account that owns a database cannot be deleted.',
  mutates: true,
  instanceParam: 'DBInstanceId',
  params: { DBInstanceId: DB_INSTANCE_ID, AccountName: ACCOUNT_NAME, ...OWNER_PARAMS },
  output: o.obj({}),
  errors: [...WRITE_ERRORS, 'InvalidAccountName.NotFound', 'IncorrectAccountStatus', 'AccountActionForbidden'],
});

export const resetAccountPassword = defineOp({
  name: 'ResetAccountPassword',
  group: 'accounts',
  summary: 'Sets a new password for a database account; the old one stops working when the call answers.',
  mutates: true,
  instanceParam: 'DBInstanceId',
  params: { DBInstanceId: DB_INSTANCE_ID, AccountName: ACCOUNT_NAME, AccountPassword: PASSWORD, ...OWNER_PARAMS },
  output: o.obj({}),
  errors: [...WRITE_ERRORS, 'InvalidAccountName.NotFound', 'InvalidAccountPassword.Format'],
});

export const resetAccount = defineOp({
  name: 'ResetAccount',
  group: 'accounts',
  summary: 'Resets the privileged account of a MySQL, MariaDB or SQL Server instance: new password, its fixed privileges restored, unlocked.',
  mutates: true,
  instanceParam: 'DBInstanceId',
  params: { DBInstanceId: DB_INSTANCE_ID, AccountName: ACCOUNT_NAME, AccountPassword: PASSWORD, ...OWNER_PARAMS },
  output: o.obj({}),
  errors: [...WRITE_ERRORS, 'InvalidAccountName.NotFound', 'InvalidAccountPassword.Format', 'IncorrectAccountType', 'IncorrectDBInstanceType'],
});

export const modifyAccountDescription = defineOp({
  name: 'ModifyAccountDescription',
  group: 'accounts',
  summary: 'Changes the description of a database account.',
  mutates: true,
  instanceParam: 'DBInstanceId',
  params: {
    DBInstanceId: DB_INSTANCE_ID,
    AccountName: ACCOUNT_NAME,
    AccountDescription: str(ACCOUNT_DESCRIPTION, { required: true, max: 256, invalidCode: 'InvalidAccountDescription.Format' }),
    ...OWNER_PARAMS,
  },
  output: o.obj({}),
  errors: [...WRITE_ERRORS, 'InvalidAccountName.NotFound', 'InvalidAccountDescription.Format'],
});

export const lockAccount = defineOp({
  name: 'LockAccount',
  group: 'accounts',
  summary: 'PostgreSQL: locks a database account (the role stays, logins are refused). DescribeAccounts shows AccountStatus Lock.',
  mutates: true,
  instanceParam: 'DBInstanceId',
  params: { DBInstanceId: DB_INSTANCE_ID, AccountName: ACCOUNT_NAME, ...OWNER_PARAMS },
  output: o.obj({}),
  errors: [...WRITE_ERRORS, 'InvalidAccountName.NotFound', 'IncorrectDBInstanceType'],
});

export const unlockAccount = defineOp({
  name: 'UnlockAccount',
  group: 'accounts',
  summary: 'PostgreSQL: unlocks a locked database account.',
  mutates: true,
  instanceParam: 'DBInstanceId',
  params: { DBInstanceId: DB_INSTANCE_ID, AccountName: ACCOUNT_NAME, ...OWNER_PARAMS },
  output: o.obj({}),
  errors: [...WRITE_ERRORS, 'InvalidAccountName.NotFound', 'IncorrectDBInstanceType'],
});

export const grantAccountPrivilege = defineOp({
  name: 'GrantAccountPrivilege',
  group: 'accounts',
  summary: 'Grants a standard account a mode on one or more databases (comma lists of equal length). A new mode on the same database replaces the old one.',
  mutates: true,
  instanceParam: 'DBInstanceId',
  params: {
    DBInstanceId: DB_INSTANCE_ID,
    AccountName: ACCOUNT_NAME,
    DBName: str('Database names, comma-separated.', { required: true, example: 'shop,logs', max: 4096 }),
    AccountPrivilege: str('One mode per database, comma-separated: ReadWrite, ReadOnly, DDLOnly, DMLOnly (MySQL, MariaDB), DBOwner (PostgreSQL, SQL Server).', {
      required: true, example: 'ReadWrite,ReadOnly', max: 4096,
    }),
    ...OWNER_PARAMS,
  },
  output: o.obj({}),
  errors: [...WRITE_ERRORS, 'InvalidAccountName.NotFound', 'InvalidDB.NotFound', 'InvalidAccountPrivilege.Malformed',
    'InvalidDBNameOrAccountPrivilege', 'IncorrectAccountType'],
});

export const revokeAccountPrivilege = defineOp({
  name: 'RevokeAccountPrivilege',
  group: 'accounts',
  summary: 'Revokes a standard account\'s privileges on one or more databases (MySQL, MariaDB, SQL Server; not PostgreSQL). Revoking what was not granted changes nothing.',
  mutates: true,
  instanceParam: 'DBInstanceId',
  params: {
    DBInstanceId: DB_INSTANCE_ID,
    AccountName: ACCOUNT_NAME,
    DBName: str('Database names, comma-separated.', { required: true, example: 'shop', max: 4096 }),
    ...OWNER_PARAMS,
  },
  output: o.obj({}),
  errors: [...WRITE_ERRORS, 'InvalidAccountName.NotFound', 'InvalidDB.NotFound', 'IncorrectAccountType', 'IncorrectDBInstanceType'],
});

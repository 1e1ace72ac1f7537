// Database operations: the databases inside an instance's server, with the accounts granted on each.
import { defineOp, DB_INSTANCE_ID, INSTANCE_ERRORS, OWNER_PARAMS } from './op.js';
import { int, o, str } from './shapes.js';

const DB_NAME = str('The database name.', { required: true, example: 'shop', max: 64, invalidCode: 'InvalidDBName.Format' });
const DB_DESCRIPTION = '2 to 256 characters, starting with a letter or a Chinese character; not http:// or https://.';
const WRITE_ERRORS = [...INSTANCE_ERRORS, 'IncorrectDBInstanceState'] as const;

export const createDatabase = defineOp({
  name: 'CreateDatabase',
  group: 'databases',
  summary: 'Creates a database on the instance\'s server with the given character set (PostgreSQL: charset,collate,ctype).',
  mutates: true,
  instanceParam: 'DBInstanceId',
  params: {
    DBInstanceId: DB_INSTANCE_ID,
    DBName: DB_NAME,
    CharacterSetName: str('MySQL and MariaDB: utf8, gbk, latin1 or utf8mb4. PostgreSQL: charset[,collate[,ctype]], e.g. UTF8,C,en_US.utf8 (collate defaults to C, ctype to en_US.utf8). SQL Server: a collation.', {
      required: true, example: 'utf8mb4', max: 128, invalidCode: 'InvalidCharacterSetName.Format',
    }),
    DBDescription: str(DB_DESCRIPTION, { max: 256, invalidCode: 'InvalidDBDescription.Format' }),
    ...OWNER_PARAMS,
  },
  output: o.obj({}),
  errors: [...WRITE_ERRORS, 'InvalidDBName.Format', 'InvalidDBName.Forbid', 'InvalidDBName.Duplicate',
    'InvalidCharacterSetName.Format', 'InvalidDBDescription.Format', 'SqlExcutionFailed'],
});

export const describeDatabases = defineOp({
  name: 'DescribeDatabases',
  group: 'databases',
  summary: 'Lists the databases of an instance (or one, by DBName) with the accounts granted on each.',
  mutates: false,
  answerMemo: true,
  instanceParam: 'DBInstanceId',
  params: {
    DBInstanceId: DB_INSTANCE_ID,
    DBName: str('Only this database (an unknown name gives an empty list).', { max: 64 }),
    DBStatus: str('Only databases in this state: Creating, Running or Deleting (localrds databases are Running).', { enum: ['Creating', 'Running', 'Deleting'] }),
    PageSize: int('Databases per page; 0 (default) lists all.', { min: 0, max: 2147483647, default: '0' }),
    PageNumber: int('Page, from 1 (default).', { min: 0, max: 2147483647, default: '1' }),
    ...OWNER_PARAMS,
  },
  output: o.obj({
    Databases: o.obj({
      Database: o.list(o.obj({
        DBInstanceId: o.str(),
        DBName: o.str(),
        DBStatus: o.str('Running.'),
        Engine: o.str(),
        CharacterSetName: o.str('PostgreSQL: the encoding only; Collate and Ctype are separate fields.'),
        DBDescription: o.str(),
        Collate: o.opt(o.str('PostgreSQL only.')),
        Ctype: o.opt(o.str('PostgreSQL only.')),
        ConnLimit: o.opt(o.str('PostgreSQL only: "-1", unlimited.')),
        Tablespace: o.opt(o.str('PostgreSQL only: pg_default.')),
        Accounts: o.obj({
          AccountPrivilegeInfo: o.list(o.obj({
            Account: o.str(),
            AccountPrivilege: o.str(),
            AccountPrivilegeDetail: o.str(),
          })),
        }),
      })),
    }),
  }),
  errors: [...INSTANCE_ERRORS],
  // The provider's database read counts only an HTTP 404 (or "NotFound" in the message) as gone (docs/fidelity.md).
  errorStatus: { 'InvalidDBInstanceId.NotFound': 404 },
});

export const deleteDatabase = defineOp({
  name: 'DeleteDatabase',
  group: 'databases',
  summary: 'Drops a database and the grants on it.',
  mutates: true,
  instanceParam: 'DBInstanceId',
  params: { DBInstanceId: DB_INSTANCE_ID, DBName: DB_NAME, ...OWNER_PARAMS },
  output: o.obj({}),
  errors: [...WRITE_ERRORS, 'InvalidDBName.NotFound'],
});

export const modifyDBDescription = defineOp({
  name: 'ModifyDBDescription',
  group: 'databases',
  summary: 'Changes the description of a database.',
  mutates: true,
  instanceParam: 'DBInstanceId',
  params: {
    DBInstanceId: DB_INSTANCE_ID,
    DBName: DB_NAME,
    DBDescription: str(DB_DESCRIPTION, { required: true, max: 256, invalidCode: 'InvalidDBDescription.Format' }),
    ...OWNER_PARAMS,
  },
  output: o.obj({}),
  errors: [...WRITE_ERRORS, 'InvalidDBName.NotFound', 'InvalidDBDescription.Format'],
});

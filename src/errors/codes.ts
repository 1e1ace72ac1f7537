// Every error code localrds can answer with: HTTP status and message template, and nothing else.
// Templates take {name} placeholders. Sources for each value, and the choices made where the real
// service is undocumented, are listed in docs/fidelity.md.

export interface ErrorSpec {
  readonly status: number;
  readonly message: string;
  /** What a user can do about it (explorer's error centre). Our own words. */
  readonly hint: string;
}

export const ERROR_CODES = {
  // --- gateway: request shape ---
  MissingParameter: { status: 400, message: 'The input parameter "{name}" that is mandatory for processing this request is not supplied.', hint: 'Add the named parameter.' },
  InvalidParameter: { status: 400, message: 'The specified parameter "{name}" is not valid. {detail}', hint: 'Fix the named parameter; the message says which rule it broke.' },
  UnsupportedParameter: { status: 400, message: 'The parameter "{name}" is not supported. {detail}', hint: 'Drop the parameter; localrds does not honour it.' },
  'InvalidAction.NotFound': { status: 404, message: 'Specified api is not found, please check your url and method.', hint: 'Check the Action name; localrds serves the RDS 2014-08-15 API.' },
  'Api.NotSupport': { status: 400, message: 'Specified api is not supported. localrds does not implement {action}.', hint: 'This RDS action exists but localrds does not emulate it; see docs/fidelity.md.' },
  InvalidVersion: { status: 400, message: 'Specified parameter Version is not valid.', hint: 'Use Version=2014-08-15.' },
  UnsupportedHTTPMethod: { status: 400, message: 'This http method not supported.', hint: 'Use GET or POST on /.' },
  'InvalidRequest.TooLarge': { status: 413, message: 'The request is larger than the server accepts ({limit}).', hint: 'Send fewer or shorter parameters.' },
  'InvalidRequest.Timeout': { status: 408, message: 'The request was not received in time ({limit}).', hint: 'Send the whole request at once; slow clients are cut off.' },
  'InvalidRequest.Malformed': { status: 400, message: 'The request could not be parsed: {detail}', hint: 'Send a well-formed application/x-www-form-urlencoded body and query.' },
  // --- gateway: authentication ---
  IncompleteSignature: { status: 400, message: 'The request signature does not conform to Aliyun standards. {detail}', hint: 'Sign with V1 (HMAC-SHA1) or V3 (ACS3-HMAC-SHA256); an official SDK does this for you.' },
  SignatureDoesNotMatch: { status: 400, message: 'Specified signature is not matched with our calculation. server string to sign is:{stringToSign}', hint: 'Check the AccessKey secret, and that a proxy does not change the Host header, the query or the body.' },
  InvalidSignatureMethod: { status: 400, message: 'Specified signature method is not valid.', hint: 'Use SignatureMethod=HMAC-SHA1 (V1) or ACS3-HMAC-SHA256 / ACS3-HMAC-SM3 (V3).' },
  'InvalidAccessKeyId.NotFound': { status: 404, message: 'Specified access key is not found.', hint: 'Use a key printed by `localrds serve` or created with `localrds keys create`.' },
  'InvalidAccessKeyId.Inactive': { status: 400, message: 'Specified access key is disabled.', hint: 'Enable the key with `localrds keys enable` or use another one.' },
  'InvalidTimeStamp.Format': { status: 400, message: 'Specified time stamp or date value is not well formatted.', hint: 'Send UTC time as YYYY-MM-DDThh:mm:ssZ.' },
  'InvalidTimeStamp.Expired': { status: 400, message: 'Specified time stamp or date value is expired.', hint: 'The request time must be within 15 minutes of the server clock.' },
  SignatureNonceUsed: { status: 400, message: 'Specified signature nonce was used already.', hint: 'Send a fresh random nonce with every request.' },
  'InvalidSecurityToken.NotSupported': { status: 400, message: 'STS security tokens are not supported by localrds.', hint: 'Use a plain AccessKey pair.' },
  'Throttling.User': { status: 400, message: 'Request was denied due to user flow control.', hint: 'Slow down, or raise the rate with --rate-limit.' },
  'Forbidden.RAM': { status: 403, message: 'User not authorized to operate on the specified resource, or this API doesn\'t support RAM.', hint: 'The key\'s policy does not allow this action on this resource.' },
  // --- service ---
  InternalError: { status: 500, message: 'The request processing has failed due to some unknown error, exception or failure.', hint: 'A localrds bug: the server log has the RequestId.' },
  ServiceUnavailable: { status: 503, message: 'The request has failed due to a temporary failure of the server.', hint: 'Retry later.' },
  // --- RDS: instances ---
  IdempotentParameterMismatch: { status: 400, message: 'The request uses the same client token as a previous, but non-identical request.', hint: 'Send a new ClientToken for a different request; reuse a token only to retry the same one.' },
  'InvalidDBInstanceId.NotFound': { status: 400, message: 'The DBInstanceId provided does not exist in records.', hint: 'Check the instance id and that the AccessKey belongs to the account that owns it.' },
  'OperationDenied.DBInstanceStatus': { status: 403, message: 'The current status of the specified instance does not support this operation.', hint: 'Wait until DBInstanceStatus is Running, then retry.' },
  IncorrectDBInstanceState: { status: 403, message: 'Current DB instance state does not support this operation.', hint: 'Wait until DBInstanceStatus is Running, then retry.' },
  'OperationDenied.DeletionProtection': { status: 400, message: 'The operation is not permitted when the instance enabled deletion protection.', hint: 'Create the instance without DeletionProtection.' },
  'InvalidEngine.Malformed': { status: 400, message: 'The specified parameter Engine is not valid.', hint: 'Use MySQL, PostgreSQL, MariaDB or SQLServer.' },
  'InvalidEngineVersion.Malformed': { status: 400, message: 'The specified parameter EngineVersion is not valid.', hint: 'Use a version the engine offers (MySQL 5.5-8.0, PostgreSQL 10.0-17.0, MariaDB 10.3/10.6).' },
  'InvalidDBInstanceClass.Malformed': { status: 400, message: 'The specified parameter DBInstanceClass is not valid.', hint: 'Any non-empty class name such as mysql.n2.medium.1 is accepted.' },
  'InvalidPort.Malformed': { status: 400, message: 'Specified port is not valid.', hint: 'Allocate takes 1000-5999; CreateDBInstance takes 1000-65534 for MySQL, 1000-5999 otherwise.' },
  'InvalidPort.Format': { status: 400, message: 'Specified Port is not valid.', hint: 'Use a port in 1000-5999 (MySQL internal endpoints: 1000-65534).' },
  // CreateDBInstance's documented capacity refusal, answered past --max-instances (see docs/fidelity.md).
  InsufficientResourceCapacity: { status: 404, message: 'The target availability zone does not have sufficient resources.', hint: 'localrds runs at most --max-instances instance servers: delete an instance or raise --max-instances.' },
  // CreateDBInstance with a ZoneId that no live node serves, when the nodes declare zones (--zone; docs/fidelity.md).
  'InvalidZone.NotSupported': { status: 400, message: 'The Specified Zone not supported.', hint: 'No live localrds node serves this ZoneId: start one with --zone, or pick a zone that `localrds nodes` lists.' },
  'Invalid.NextToken': { status: 400, message: 'The parameter NextToken is invalid.', hint: 'Pass back the NextToken of the previous page unchanged.' },
  'InsName.NotFound': { status: 400, message: 'The specified InsName (instance) is not found.', hint: 'Pass the instance ID as InsName.' },
  // --- RDS: changes ---
  'InvalidDBInstanceDescription.Format': { status: 400, message: 'Specified DB instance description is not valid.', hint: 'Use 2 to 255 characters, or an empty value to clear it.' },
  UnsupportedReduceDiskSize: { status: 400, message: 'The storage of an instance cannot be reduced. {detail}', hint: 'Give a DBInstanceStorage at least as large as the current one.' },
  'InvalidOrderCharge.NotSupport': { status: 400, message: 'The specified order charge does not support in RDS. localrds does not emulate subscription (Prepaid) billing; instances are pay-as-you-go.', hint: 'Keep PayType=Postpaid; TransformDBInstancePayType only turns Prepaid into Postpaid.' },
  'InvalidPayType.Malformed': { status: 400, message: 'The specified parameter PayType is not valid.', hint: 'Use Postpaid.' },
  IncorrectEngineVersion: { status: 403, message: 'Current engine version does not support this operation. localrds does not emulate engine version upgrades. {detail}', hint: 'Create a new instance with the engine version you want.' },
  // --- RDS: tags ---
  'NumberExceed.Tags': { status: 400, message: 'The maximum number of Tags is exceeded. The maximum value is 20.', hint: 'Send at most 20 tags (or tag keys) per call.' },
  'NumberExceed.ResourceIds': { status: 400, message: 'The maximum number of ResourceIds is exceeded. The maximum value is 50.', hint: 'Send at most 50 ResourceId.N per call.' },
  'InvalidTagKey.Malformed': { status: 400, message: 'The Tag.N.Key parameter is blank or not valid. {detail}', hint: 'Give every tag a key of 1-128 characters that does not start with aliyun or acs:.' },
  'Duplicate.TagKey': { status: 400, message: 'The Tag.N.Key contain duplicate key.', hint: 'Give each key once per call.' },
  'OperationDenied.QuotaExceed': { status: 400, message: 'The maximum number of Tags is exceeded.', hint: 'An instance carries at most 20 tags; remove some first.' },
  'InvalidResourceId.NotFound': { status: 400, message: 'ResourceId does not refer to an existing DB instance.', hint: 'Check the ResourceId.N values and the account that owns them.' },
  'Tag.InvalidTagsParameter': { status: 400, message: 'tags parameter is invalid.', hint: 'Tags is a JSON object of string keys and values, e.g. {"env":"test"}, at most 5 pairs.' },
  // --- RDS: network ---
  'InvalidConnectionString.Format': { status: 400, message: 'Specified connection string is not valid.', hint: 'The prefix takes 5-40 characters: lowercase letters, digits and hyphens, starting with a letter.' },
  ConnectionStringContainIllegalCharacterFault: { status: 400, message: 'The connection string contain Illegal character.', hint: 'Use only lowercase letters, digits and hyphens in the prefix.' },
  'InvalidConnectionString.Malformed': { status: 400, message: 'The specified parameter ConnectionStringPrefix is not valid.', hint: 'The prefix takes 8-64 characters: lowercase letters, digits and hyphens.' },
  'InvalidConnectionString.Duplicate': { status: 404, message: 'Specified connection string already exists in the Aliyun RDS.', hint: 'Pick another prefix; connection strings are unique across all accounts.' },
  'InvalidConnectionString.NotFound': { status: 400, message: 'The specified connection string or network type is not found.', hint: 'Take CurrentConnectionString from DescribeDBInstanceNetInfo.' },
  'InvalidCurrentConnectionString.NotFound': { status: 400, message: 'The specified CurrentConnectionString is not found.', hint: 'The public endpoint is already released, or the string belongs to another instance.' },
  AtLeastOneNetTypeExists: { status: 400, message: 'The current database instance network type does not support the operation', hint: 'The internal endpoint cannot be released; only the public one can.' },
  NetTypeExists: { status: 400, message: 'Specified net type already existed.', hint: 'The instance already has a public endpoint; release it first.' },
  'OperationDenied.EndpointUnavailable': { status: 403, message: 'The endpoint address {address} cannot listen on this machine: {reason}.', hint: 'Give pools of addresses this machine has (--public-pool, --private-pool; any 127.0.0.0/8 block on Linux) or free the port; nothing was changed.' },
  'OperationDenied.ZoneResource': { status: 403, message: 'There is no available zone for inventory. {detail}', hint: 'The address pool is exhausted; widen --public-pool / --private-pool or wait for quarantined addresses.' },
  // --- RDS: whitelist ---
  'SecurityIPList.Format': { status: 400, message: 'Specified SecurityIPList is not valid.', hint: 'Give IPv4 addresses or CIDR blocks (/1 to /32), comma-separated, at most 1000.' },
  'InvalidSecurityIPList.Format': { status: 400, message: 'The specified parameter securityIPList is not valid.', hint: 'Give IPv4 addresses or CIDR blocks, comma-separated, at most 1000.' },
  'InvalidSecurityIPList.Duplicate': { status: 400, message: 'Specified security IP list is not valid: Duplicate IP address in the list.', hint: 'Remove the repeated entry.' },
  'InvalidIPArrayAttribute.Format': { status: 400, message: 'The format of the IP attribute is invalid.', hint: 'DBInstanceIPArrayAttribute is empty or "hidden".' },
  'InvalidWhitelistNetType.Malformed': { status: 400, message: 'Specified WhitelistNetType  is not valid.', hint: 'Use Classic, VPC or MIX.' },
  // --- RDS: database accounts and grants ---
  'InvalidAccountName.Format': { status: 400, message: 'Specified account name is not valid.', hint: 'Lowercase letters, digits and underscores (MySQL also uppercase), starting with a letter and ending with a letter or digit; 2-32 characters on MySQL 5.7/8.0, 2-16 on MySQL 5.6 and MariaDB, 2-63 on PostgreSQL (16 on local disks, no "pg" prefix).' },
  'InvalidAccountName.Forbid': { status: 400, message: 'Specified account name is a keyword in RDS.', hint: 'Pick a name that is not reserved (root, admin, postgres, ... and anything starting with localrds).' },
  'InvalidAccountName.Duplicate': { status: 400, message: 'Specified account name already exists in this instance.', hint: 'The instance already has this account (on MySQL, a standard account may not differ from the privileged one only by case; on a shared --backend server, names are server-wide).' },
  'InvalidAccountName.NotFound': { status: 404, message: 'Specified account name does not exist.', hint: 'Take AccountName from DescribeAccounts.' },
  'InvalidAccountPassword.Format': { status: 400, message: 'Specified account password is not valid.', hint: '8-32 characters with at least three of: uppercase, lowercase, digits, and the specials !@#$%^&*()_+-=' },
  'InvalidAccountDescription.Format': { status: 400, message: 'Specified account description is not valid.', hint: '2-256 characters, starting with a letter or a Chinese character, not with http:// or https://.' },
  AccountLimitExceeded: { status: 403, message: 'AccountQuotaExceeded: Exceeding the allowed amount of account', hint: 'An instance holds at most 500 accounts (AccountMaxQuantity); delete one first.' },
  IncorrectAccountType: { status: 403, message: 'Current account type does not support this operation.', hint: 'MySQL and MariaDB allow one privileged account, which already has every database; ResetAccount takes the privileged account.' },
  IncorrectAccountStatus: { status: 400, message: 'Current account status does not support this operation.', hint: 'Unlock the account (UnlockAccount) first.' },
  AccountActionForbidden: { status: 401, message: 'Some objects depend on account.', hint: 'The account owns a database (PostgreSQL DBOwner): delete the database first.' },
  'InvalidEngineVersion.NotSupported': { status: 400, message: 'Current db instance does not support sysadmin.', hint: 'Sysadmin accounts exist only on SQL Server; use Normal or Super.' },
  IncorrectDBInstanceType: { status: 403, message: 'Current DB instance type does not support this operation.', hint: 'LockAccount, UnlockAccount and DescribePGHbaConfig are PostgreSQL only; ResetAccount and RevokeAccountPrivilege are not available on PostgreSQL.' },
  'InvalidAccountPrivilege.Malformed': { status: 400, message: 'Specified account privilege is not valid.', hint: 'MySQL and MariaDB: ReadWrite, ReadOnly, DDLOnly, DMLOnly; PostgreSQL: DBOwner; SQL Server: ReadWrite, ReadOnly, DBOwner.' },
  InvalidDBNameOrAccountPrivilege: { status: 400, message: 'Account permissions and database names must correspond.', hint: 'Give as many comma-separated AccountPrivilege values as DBName values.' },
  'InvalidDB.NotFound': { status: 404, message: 'Specified db does not exist or DB status does not support.', hint: 'Create the database (CreateDatabase) before granting on it.' },
  // --- RDS: databases ---
  'InvalidDBName.Format': { status: 400, message: 'Specified DB name is not valid.', hint: '2-64 characters: lowercase letters, digits, underscores and hyphens, starting with a letter and ending with a letter or digit.' },
  'InvalidDBName.Forbid': { status: 400, message: 'Specified DB name is a keyword in RDS.', hint: 'Pick a name that is not reserved (mysql, sys, postgres, template0, ... and anything starting with localrds).' },
  'InvalidDBName.Duplicate': { status: 400, message: 'Specified DB name already exists in the This instance.', hint: 'The instance already has this database (on a shared --backend server, names are server-wide).' },
  'InvalidDBName.NotFound': { status: 404, message: 'Specified one or more DB name does not exist or DB status does not support.', hint: 'Take DBName from DescribeDatabases.' },
  'InvalidDBDescription.Format': { status: 400, message: 'Specified DB description is not valid.', hint: '2-256 characters, starting with a letter or a Chinese character, not with http:// or https://.' },
  'InvalidCharacterSetName.Format': { status: 400, message: 'Specified character set name is not valid.', hint: 'MySQL and MariaDB: utf8, gbk, latin1, utf8mb4; PostgreSQL: charset[,collate[,ctype]] such as UTF8,C,en_US.utf8.' },
  SqlExcutionFailed: { status: 400, message: 'Due to the limit number you can\'t create a database.', hint: 'An instance holds at most 500 databases (DBMaxQuantity); delete one first.' },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERROR_CODES;

// ModifyAccountCheckPolicy: the password policy of a PostgreSQL account. localrds has no password policy, so
// only false (what every account already has) is accepted; true is refused, saying so.
import { CLIENT_TOKEN, defineOp, DB_INSTANCE_ID, INSTANCE_ERRORS, OWNER_PARAMS } from './op.js';
import { bool, o, str } from './shapes.js';

export const modifyAccountCheckPolicy = defineOp({
  name: 'ModifyAccountCheckPolicy', group: 'accounts', mutates: true, instanceParam: 'DBInstanceId',
  summary: 'Sets whether a password policy applies to an account. localrds has none: false is accepted, true refused.',
  params: {
    DBInstanceId: DB_INSTANCE_ID,
    AccountName: str('The database account.', { required: true, max: 64 }),
    CheckPolicy: bool('false; true is refused (no password policy in localrds).', { required: true }),
    ResourceGroupId: str('Accepted, ignored.'), ClientToken: CLIENT_TOKEN,
    ...OWNER_PARAMS,
  },
  output: o.obj({}),
  errors: [...INSTANCE_ERRORS, 'InvalidAccountName.NotFound', 'UnsupportedParameter'],
});

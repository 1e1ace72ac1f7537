// Server parameters: the running values of an instance's server, and the engine's parameter template.
import { CLIENT_TOKEN, defineOp, DB_INSTANCE_ID, INSTANCE_ERRORS, OWNER_PARAMS } from './op.js';
import { o, str } from './shapes.js';

const parameter = o.obj({ ParameterName: o.str(), ParameterValue: o.str(), ParameterDescription: o.str() });

export const describeParameters = defineOp({
  name: 'DescribeParameters', group: 'settings', mutates: false, instanceParam: 'DBInstanceId',
  summary: "Lists the parameters localrds knows for the engine with the instance server's running values (the engine's documented defaults when no server runs).",
  params: { DBInstanceId: DB_INSTANCE_ID, ClientToken: CLIENT_TOKEN, ...OWNER_PARAMS },
  output: o.obj({
    Engine: o.str(), EngineVersion: o.str(),
    ParamGroupInfo: o.obj({ ParamGroupId: o.str('Empty: no parameter template is applied.'), ParameterGroupName: o.str(), ParameterGroupDesc: o.str(), ParameterGroupType: o.str() }),
    ConfigParameters: o.obj({ DBInstanceParameter: o.list(parameter, 'Parameters changed with ModifyParameter (never, in localrds).') }),
    RunningParameters: o.obj({ DBInstanceParameter: o.list(parameter) }),
  }),
  errors: [...INSTANCE_ERRORS],
});

export const describeParameterTemplates = defineOp({
  name: 'DescribeParameterTemplates', group: 'settings', mutates: false,
  summary: 'Lists the parameters of an engine version with their default values, allowed values and whether a change needs a restart.',
  params: {
    Engine: str('MySQL, PostgreSQL, MariaDB or SQLServer.', { required: true, enum: ['MySQL', 'PostgreSQL', 'MariaDB', 'SQLServer'], enumIgnoreCase: true, invalidCode: 'InvalidEngine.Malformed' }),
    EngineVersion: str('Engine version, e.g. 8.0.', { required: true, max: 32, invalidCode: 'InvalidEngineVersion.Malformed' }),
    Category: str('Accepted, ignored (the same parameters for every category).'),
    DBInstanceId: str('When given, the instance must exist.', { max: 64 }),
    RegionId: str('Region (accepted).'), ClientToken: CLIENT_TOKEN,
    ...OWNER_PARAMS,
  },
  output: o.obj({
    Engine: o.str(), EngineVersion: o.str(), ParameterCount: o.str('The number of records, as a string.'),
    Parameters: o.obj({
      TemplateRecord: o.list(o.obj({
        ParameterName: o.str(), ParameterValue: o.str(), ParameterDescription: o.str(), CheckingCode: o.str(),
        ForceModify: o.str('true: the parameter may be changed.'), ForceRestart: o.str('true: a change needs a restart.'),
      })),
    }),
  }),
  errors: [...INSTANCE_ERRORS],
});

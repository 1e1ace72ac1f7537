// The catalogue as the explorer page receives it (/explorer/catalogue.json): plain JSON built from the
// operation catalogue and the error catalogue, so that the page can never disagree with the API.
// Shared by the server (catalogue-json.ts builds it) and the browser (web/*.mts read it): types only.
import type { OutShape, ParamKind } from '../api/shapes.js';

export interface ParamDoc {
  name: string;
  kind: ParamKind;
  /** RepeatList: Name.1, Name.2... (stringList) or Name.1.Key / Name.1.Value (tagList). */
  wireType: 'String' | 'Integer' | 'Long' | 'Boolean' | 'RepeatList';
  required: boolean;
  description: string;
  example?: string;
  /** integer: value range; string: length range (characters). */
  min?: number;
  max?: number;
  enum?: string[];
  enumIgnoreCase?: boolean;
  /** RegExp source, e.g. "^\\d+$". */
  pattern?: string;
  default?: string;
  /** Code raised when this parameter breaks a rule (else InvalidParameter). */
  invalidCode?: string;
}

export interface OperationDoc {
  name: string;
  group: string;
  summary: string;
  mutates: boolean;
  instanceParam?: string;
  /** A second wire name of that operation (the SDKs only have the original; their samples call it). */
  aliasOf?: string;
  params: ParamDoc[];
  /** Response body without RequestId (every answer carries RequestId first). */
  output: OutShape;
  /** Operation-specific codes: the declared errors plus every parameter's invalidCode. */
  errors: string[];
}

export interface ErrorDoc {
  code: string;
  status: number;
  /** Message template; {name}-style placeholders are filled in per request. */
  message: string;
  /** What to do about it. */
  hint: string;
  /** A gateway code: any operation can answer with it. */
  gateway: boolean;
  /** Operations that declare it. */
  raisedBy: string[];
}

export interface CatalogueDoc {
  apiVersion: string;
  operations: OperationDoc[];
  errors: ErrorDoc[];
  /** The well-known development AccessKey pair the page starts with (never a configured secret). */
  devCredentials: { accessKeyId: string; accessKeySecret: string };
}

import { type PveReply, paramFail } from './reply.js';

/** ParamSpec is one parameter of a handler's schema (the subset of PVE's JSON schema used here). */
export interface ParamSpec {
  type: 'string' | 'integer' | 'boolean';
  optional?: boolean;
  enum?: readonly string[];
  format?: 'pve-node' | 'pve-vmid' | 'pve-storage-id' | 'pve-storage-content-list';
  minimum?: number;
  maximum?: number;
}

/** ParamSchema maps parameter names (path and query together, as PVE merges them) to specs. */
export type ParamSchema = Readonly<Record<string, ParamSpec>>;

/** NODE_PARAM is the `node` parameter of every `/nodes/{node}/…` handler. */
export const NODE_PARAM: ParamSpec = { type: 'string', format: 'pve-node' };

/** VMID_PARAM is PVE's `pve-vmid` standard option. */
export const VMID_PARAM: ParamSpec = {
  type: 'integer',
  format: 'pve-vmid',
  minimum: 100,
  maximum: 999_999_999,
};

const FORMAT_CHECKS: Record<
  NonNullable<ParamSpec['format']>,
  (value: string) => string | undefined
> = {
  'pve-node': (v) =>
    /^[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?$/.test(v)
      ? undefined
      : 'value does not look like a valid node name\n',
  'pve-vmid': (v) =>
    /^[1-9][0-9]{2,8}$/.test(v) ? undefined : 'value does not look like a valid VM ID\n',
  'pve-storage-id': (v) =>
    /^[a-z][a-z0-9\-_.]*[a-z0-9]$/i.test(v)
      ? undefined
      : `storage ID '${v}' contains illegal characters\n`,
  'pve-storage-content-list': () => undefined,
};

/**
 * validateParams checks `values` against `schema` the way PVE's `check_prop` does (type, then
 * format, then range, then enum; unknown parameters rejected since handlers set
 * `additionalProperties => 0`) and returns the 400 answer with PVE's messages, or undefined.
 */
export function validateParams(
  schema: ParamSchema,
  values: Readonly<Record<string, string>>,
): PveReply | undefined {
  const errors: Record<string, string> = {};
  for (const [name, spec] of Object.entries(schema)) {
    const value = values[name];
    if (value === undefined) {
      if (!spec.optional) errors[name] = 'property is missing and it is not optional';
      continue;
    }
    const error = checkValue(spec, value);
    if (error) errors[name] = error;
  }
  for (const name of Object.keys(values)) {
    if (!(name in schema)) {
      errors[name] =
        'property is not defined in schema and the schema does not allow additional properties';
    }
  }
  return Object.keys(errors).length > 0 ? paramFail(errors) : undefined;
}

function checkValue(spec: ParamSpec, value: string): string | undefined {
  if (spec.type === 'integer' && !/^[+-]?\d+$/.test(value)) {
    return `type check ('integer') failed - got '${value}'`;
  }
  if (spec.type === 'boolean' && value !== '0' && value !== '1') {
    return `type check ('boolean') failed - got '${value}'`;
  }
  if (spec.format) {
    const error = FORMAT_CHECKS[spec.format](value);
    if (error) return `invalid format - ${error}`;
  }
  if (spec.type === 'integer') {
    const n = Number(value);
    if (spec.maximum !== undefined && n > spec.maximum) {
      return `value must have a maximum value of ${spec.maximum}`;
    }
    if (spec.minimum !== undefined && n < spec.minimum) {
      return `value must have a minimum value of ${spec.minimum}`;
    }
  }
  if (spec.enum && !spec.enum.includes(value)) {
    return `value '${value}' does not have a value in the enumeration '${spec.enum.join(', ')}'`;
  }
  return undefined;
}

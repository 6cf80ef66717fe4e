import { VMID_PARAM } from '../params.js';
import { ok, paramFail } from '../reply.js';
import type { RouteDefinition } from '../router.js';
import { requirePrivilege, validate } from './guards.js';
import type { Row } from './guest-rows.js';

/** versionRoute serves GET /version: `version`, `release`, `repoid` of the node answering (not proxied). */
export const versionRoute: RouteDefinition = {
  template: '/version',
  kind: 'other',
  handle(ctx) {
    const invalid = validate(ctx, {});
    if (invalid) return invalid;
    const { version, release, repoid } = ctx.state.versionInfo;
    return ok({ version, release, repoid });
  },
};

/**
 * clusterStatusRoute serves GET /cluster/status (needs Sys.Audit on `/`, else 403): the cluster entry first (`nodes`
 * counts offline members, `quorate` 0/1), then one entry per member in hash order with
 * `online`/`local` as 0/1, `ip`, `nodeid` and `level` while RRD data exists.
 */
export const clusterStatusRoute: RouteDefinition = {
  template: '/cluster/status',
  kind: 'list',
  handle(ctx) {
    const denied = requirePrivilege(ctx, '/', ['Sys.Audit']);
    if (denied) return denied;
    const invalid = validate(ctx, {});
    if (invalid) return invalid;
    const state = ctx.state;
    const members = [...state.nodes.values()];
    const online = members.filter((node) => node.online).length;
    const rows: Row[] = [
      {
        type: 'cluster',
        id: 'cluster',
        name: state.name,
        nodes: members.length,
        version: state.corosyncVersion,
        quorate: online * 2 > members.length ? 1 : 0,
      },
    ];
    for (const node of ctx.order.shuffle(members)) {
      const row: Row = {
        type: 'node',
        id: `node/${node.name}`,
        name: node.name,
        nodeid: node.nodeid,
        local: node.name === state.entryNode ? 1 : 0,
        online: node.online ? 1 : 0,
        ip: node.ip,
      };
      if (state.hasRrd(node)) row.level = node.level;
      rows.push(row);
    }
    return ok(rows);
  },
};

/**
 * nextIdRoute serves GET /cluster/nextid: the lowest free vmid from 100, as a JSON *string*; `?vmid=N` returns N
 * (the string given) when free, else 400 with `errors.vmid = "VM N already exists"`.
 */
export const nextIdRoute: RouteDefinition = {
  template: '/cluster/nextid',
  kind: 'other',
  handle(ctx) {
    const invalid = validate(ctx, { vmid: { ...VMID_PARAM, optional: true } });
    if (invalid) return invalid;
    const asked = ctx.query.vmid;
    if (asked !== undefined) {
      if (!ctx.state.guests.has(Number(asked))) return ok(asked);
      return paramFail({ vmid: `VM ${asked} already exists` });
    }
    let vmid = 100;
    while (ctx.state.guests.has(vmid)) vmid++;
    return ok(String(vmid));
  },
};

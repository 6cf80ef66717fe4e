import { NODE_PARAM } from '../params.js';
import { ok } from '../reply.js';
import type { RouteDefinition } from '../router.js';
import { proxyTo, requirePrivilege, validate } from './guards.js';
import type { Row } from './guest-rows.js';
import { nodeResourceRow } from './resource-rows.js';

const GIB = 1024 ** 3;

/**
 * nodesRoute serves GET /nodes: every member in hash order with `ssl_fingerprint`; stats only with Sys.Audit on
 * `/nodes/<node>`; an offline member keeps `level`/`max*` until its RRD data ages out.
 */
export const nodesRoute: RouteDefinition = {
  template: '/nodes',
  kind: 'list',
  handle(ctx) {
    const invalid = validate(ctx, {});
    if (invalid) return invalid;
    const rows: Row[] = [];
    for (const node of ctx.order.shuffle([...ctx.state.nodes.values()])) {
      const excludeStats = !ctx.access.can(`/nodes/${node.name}`, 'Sys.Audit');
      const row = nodeResourceRow(ctx.state, node, excludeStats);
      row.ssl_fingerprint = node.fingerprint;
      rows.push(row);
    }
    return ok(rows);
  },
};

/**
 * nodeStatusRoute serves GET /nodes/{node}/status (proxied; Sys.Audit on `/nodes/{node}`): the node's live status with
 * PVE's string-typed members (`loadavg` strings, `cpuinfo.mhz`/`hvm` strings).
 */
export const nodeStatusRoute: RouteDefinition = {
  template: '/nodes/{node}/status',
  kind: 'other',
  handle(ctx) {
    const name = ctx.params.node ?? '';
    const denied = requirePrivilege(ctx, `/nodes/${name}`, ['Sys.Audit']);
    if (denied) return denied;
    const down = proxyTo(ctx, name);
    if (down) return down;
    const invalid = validate(ctx, { node: NODE_PARAM });
    if (invalid) return invalid;
    const node = ctx.state.nodes.get(name)!; // proxyTo answered for unknown names
    const { stats } = node;
    const memUsed = stats.mem;
    const [build] = node.kernel.split('-');
    return ok({
      uptime: Math.floor((ctx.state.now() - stats.bootedAt) / 1000),
      idle: 0,
      loadavg: stats.loadavg.map((value) => value.toFixed(2)),
      kversion: `Linux ${node.kernel} #1 SMP PREEMPT_DYNAMIC PMX ${build} (2025-08-14T10:06Z)`,
      'current-kernel': {
        sysname: 'Linux',
        release: node.kernel,
        version: `#1 SMP PREEMPT_DYNAMIC PMX ${build} (2025-08-14T10:06Z)`,
        machine: 'x86_64',
      },
      'boot-info': { mode: 'efi', secureboot: 0 },
      cpuinfo: {
        model: node.cpuModel,
        cpus: node.maxcpu,
        cores: Math.max(1, node.maxcpu / node.sockets / 2),
        sockets: node.sockets,
        mhz: '2400.000',
        hvm: '1',
        user_hz: 100,
        flags: 'fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat sse sse2 ht',
      },
      cpu: stats.cpu,
      wait: 0.0003,
      memory: {
        total: node.maxmem,
        used: memUsed,
        free: node.maxmem - memUsed,
        available: node.maxmem - memUsed,
      },
      ksm: { shared: 0 },
      swap: { total: node.swapTotal, used: stats.swapUsed, free: node.swapTotal - stats.swapUsed },
      pveversion: `pve-manager/${ctx.state.versionInfo.version}/${ctx.state.versionInfo.repoid}`,
      rootfs: {
        total: node.rootfsTotal,
        used: stats.disk,
        avail: Math.max(0, node.rootfsTotal - stats.disk - 5 * GIB),
        free: node.rootfsTotal - stats.disk,
      },
    });
  },
};

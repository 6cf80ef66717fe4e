import { NODE_PARAM } from '../params.js';
import { perlFloat } from '../perl-json.js';
import { ok } from '../reply.js';
import type { RouteDefinition } from '../router.js';
import { proxyTo, validate } from './guards.js';
import type { Row } from './guest-rows.js';

/**
 * storageRoute serves GET /nodes/{node}/storage (proxied): every storage.cfg entry the token may see
 * (Datastore.Audit or Datastore.AllocateSpace), in hash order, including ones disabled or
 * restricted to other nodes (`enabled: 0`, `active: 0`, zero sizes) unless `?enabled=1`;
 * `content` in random order; `total/used/avail` printed as Perl floats (exponent form from
 * 1e15 on); `used_fraction` only when total > 0. Filters: `content`, `storage`, `target`.
 */
export const storageRoute: RouteDefinition = {
  template: '/nodes/{node}/storage',
  kind: 'list',
  handle(ctx) {
    const node = ctx.params.node ?? '';
    const down = proxyTo(ctx, node);
    if (down) return down;
    const invalid = validate(ctx, {
      node: NODE_PARAM,
      content: { type: 'string', optional: true, format: 'pve-storage-content-list' },
      enabled: { type: 'boolean', optional: true },
      format: { type: 'boolean', optional: true },
      storage: { type: 'string', optional: true, format: 'pve-storage-id' },
      target: { type: 'string', optional: true, format: 'pve-node' },
    });
    if (invalid) return invalid;
    const { content, enabled, storage: only, target } = ctx.query;
    const wanted = content?.split(/[;,\s]+/).filter(Boolean);
    const rows: Row[] = [];
    for (const storage of ctx.state.storages.values()) {
      const path = `/storage/${storage.id}`;
      if (!ctx.access.canAny(path, ['Datastore.Audit', 'Datastore.AllocateSpace'])) continue;
      if (only !== undefined && storage.id !== only) continue;
      if (wanted && !wanted.some((type) => storage.content.includes(type))) continue;
      const isEnabled = ctx.state.storageEnabledOn(storage, node);
      if (enabled === '1' && !isEnabled) continue;
      if (target !== undefined && target !== node) {
        if (!storage.shared || !ctx.state.storageEnabledOn(storage, target)) continue;
      }
      const usage = isEnabled ? ctx.state.usageOn(storage, node) : undefined;
      const active = usage?.active === true;
      const total = active ? usage.total : 0;
      const used = active ? usage.used : 0;
      const row: Row = {
        storage: storage.id,
        type: storage.type,
        content: ctx.order.shuffle([...storage.content]).join(','),
        shared: storage.shared ? 1 : 0,
        enabled: isEnabled ? 1 : 0,
        active: active ? 1 : 0,
        total: perlFloat(total),
        used: perlFloat(used),
        avail: perlFloat(total - used),
      };
      if (total > 0) row.used_fraction = used / total;
      rows.push(row);
    }
    return ok(ctx.order.shuffle(rows));
  },
};

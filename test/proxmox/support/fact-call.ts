import type { PveClient } from '../../../src/proxmox/client.js';
import { type PveFact, requestPath } from '../../facts/index.js';

/** factUrlPath is the path (below /api2/json, with query) a fact's request goes to. */
export function factUrlPath(fact: PveFact): string {
  const query = new URLSearchParams(fact.request.query ?? {}).toString();
  return `${requestPath(fact)}${query ? `?${query}` : ''}`;
}

/** callFact calls the PveClient method that performs a fact's request. */
export function callFact(client: PveClient, fact: PveFact): Promise<unknown> {
  const params = fact.request.params ?? {};
  const node = params.node ?? '';
  const vmid = Number(params.vmid);
  switch (fact.request.route) {
    case '/version':
      return client.getVersion();
    case '/nodes':
      return client.listNodes();
    case '/cluster/status':
      return client.getClusterStatus();
    case '/cluster/resources':
      switch (fact.request.query?.type) {
        case undefined:
          return client.listClusterResources();
        case 'vm':
          return client.listClusterGuests();
        case 'node':
          return client.listClusterNodes();
        case 'storage':
          return client.listClusterStorage();
        default:
          throw new Error(`fact ${fact.id}: no client call for type=${fact.request.query?.type}`);
      }
    case '/nodes/{node}/qemu':
      return client.listQemu(node);
    case '/nodes/{node}/lxc':
      return client.listLxc(node);
    case '/nodes/{node}/storage':
      return client.listStorage(node);
    case '/nodes/{node}/qemu/{vmid}/config':
      return client.getQemuConfig(node, vmid);
    case '/nodes/{node}/lxc/{vmid}/config':
      return client.getLxcConfig(node, vmid);
    case '/nodes/{node}/qemu/{vmid}/agent/network-get-interfaces':
      return client.getQemuAgentInterfaces(node, vmid);
    case '/nodes/{node}/lxc/{vmid}/interfaces':
      return client.getLxcInterfaces(node, vmid);
  }
}

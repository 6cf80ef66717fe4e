import type { RouteDefinition } from '../router.js';
import { clusterResourcesRoute } from './cluster-resources.js';
import { clusterStatusRoute, nextIdRoute, versionRoute } from './cluster-routes.js';
import { lxcConfigRoute, lxcInterfacesRoute, lxcListRoute, lxcStatusRoute } from './lxc-routes.js';
import { nodeStatusRoute, nodesRoute } from './node-routes.js';
import { qemuAgentInterfacesRoute } from './qemu-agent-route.js';
import { qemuConfigRoute, qemuListRoute, qemuStatusRoute } from './qemu-routes.js';
import { storageRoute } from './storage-route.js';

/** API_ROUTES are the GET endpoints the simulator serves under `/api2/json`. */
export const API_ROUTES: readonly RouteDefinition[] = [
  versionRoute,
  clusterResourcesRoute,
  clusterStatusRoute,
  nextIdRoute,
  nodesRoute,
  nodeStatusRoute,
  qemuListRoute,
  qemuStatusRoute,
  qemuConfigRoute,
  qemuAgentInterfacesRoute,
  lxcListRoute,
  lxcStatusRoute,
  lxcConfigRoute,
  lxcInterfacesRoute,
  storageRoute,
];

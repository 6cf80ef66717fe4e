import type { RouteDefinition } from '../router.js';
import { clusterResourcesRoute } from './cluster-resources.js';
import { clusterStatusRoute, nextIdRoute, versionRoute } from './cluster-routes.js';
import {
  lxcConfigRoute,
  lxcInterfacesRoute,
  lxcStatusRoute,
  qemuAgentInterfacesRoute,
  qemuConfigRoute,
  qemuStatusRoute,
} from './guest-detail-routes.js';
import { guestListRoute } from './guest-list-route.js';
import { nodeStatusRoute, nodesRoute } from './node-routes.js';
import { storageRoute } from './storage-route.js';

/** API_ROUTES are the GET endpoints the simulator serves under `/api2/json`. */
export const API_ROUTES: readonly RouteDefinition[] = [
  versionRoute,
  clusterResourcesRoute,
  clusterStatusRoute,
  nextIdRoute,
  nodesRoute,
  nodeStatusRoute,
  guestListRoute('qemu'),
  qemuStatusRoute,
  qemuConfigRoute,
  qemuAgentInterfacesRoute,
  guestListRoute('lxc'),
  lxcStatusRoute,
  lxcConfigRoute,
  lxcInterfacesRoute,
  storageRoute,
];

import { graphql } from '../generated/gql.js';

/** The subscriptions the event tests (and the fan-out script) run, typed by codegen. */

export const VmChanged = graphql(`
  subscription VmChanged($clusterId: ID, $node: String, $vmid: Int, $after: String) {
    vmChanged(clusterId: $clusterId, node: $node, vmid: $vmid, after: $after) {
      type
      sequence
      at
      clusterId
      changedFields
      vm {
        id
        clusterId
        vmid
        type
        node
        name
        status
        template
        tags
        description
        ipAddresses {
          ipAddress
        }
      }
      previous {
        vmid
        node
        name
        status
      }
    }
  }
`);

export const NodeChanged = graphql(`
  subscription NodeChanged($clusterId: ID, $node: String, $after: String) {
    nodeChanged(clusterId: $clusterId, node: $node, after: $after) {
      type
      sequence
      at
      clusterId
      changedFields
      node {
        clusterId
        name
        status
        ipAddress
      }
      previous {
        name
        status
      }
    }
  }
`);

export const StorageChanged = graphql(`
  subscription StorageChanged($clusterId: ID, $node: String, $after: String) {
    storageChanged(clusterId: $clusterId, node: $node, after: $after) {
      type
      sequence
      at
      clusterId
      changedFields
      storage {
        clusterId
        node
        name
        type
        content
        shared
      }
      previous {
        name
        content
      }
    }
  }
`);

/** VmSequences asks for as little as possible: what fan-out and leak tests count. */
export const VmSequences = graphql(`
  subscription VmSequences($clusterId: ID, $after: String) {
    vmChanged(clusterId: $clusterId, after: $after) {
      type
      sequence
      vm {
        vmid
        node
        name
      }
    }
  }
`);

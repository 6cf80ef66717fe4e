import { graphql } from '../generated/gql.js';

/** The operations the end-to-end sync tests run, typed by codegen. */

export const E2eCluster = graphql(`
  query E2eCluster($id: ID!) {
    cluster(id: $id) {
      id
      name
      isEnabled
      isSchedulable
      sync {
        state
        lastSyncedAt
        lastError
      }
      counts {
        nodes
        onlineNodes
        vms
        runningVms
        templates
        storages
      }
    }
  }
`);

export const E2eVms = graphql(`
  query E2eVms($filter: VmFilter, $first: Int) {
    vms(filter: $filter, first: $first) {
      totalCount
      edges {
        node {
          vmid
          type
          node
          name
          status
          template
          tags
          lock
          description
          ipAddresses {
            ipAddress
            macAddress
            nicName
          }
        }
      }
    }
  }
`);

export const E2eVm = graphql(`
  query E2eVm($clusterId: ID!, $vmid: Int!) {
    vm(clusterId: $clusterId, vmid: $vmid) {
      vmid
      node
      name
      status
      template
      ipAddresses {
        ipAddress
        macAddress
      }
    }
  }
`);

export const E2eNodes = graphql(`
  query E2eNodes($filter: NodeFilter) {
    nodes(filter: $filter, first: 500) {
      totalCount
      edges {
        node {
          name
          status
          ipAddress
        }
      }
    }
  }
`);

export const E2eStorages = graphql(`
  query E2eStorages($filter: StorageFilter) {
    storages(filter: $filter, first: 500) {
      totalCount
      edges {
        node {
          node
          name
          type
          content
          shared
          active
        }
      }
    }
  }
`);

export const E2eTemplates = graphql(`
  query E2eTemplates($clusterId: ID) {
    templates(clusterId: $clusterId) {
      vmid
      name
      node
    }
  }
`);

export const E2eResync = graphql(`
  mutation E2eResync($id: ID!) {
    resyncCluster(id: $id) {
      id
      sync {
        state
      }
    }
  }
`);

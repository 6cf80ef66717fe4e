import { graphql } from '../generated/gql.js';

/** The operations the inventory read-side tests run, typed by codegen. */

export const VmFields = graphql(`
  fragment VmFields on PveVm {
    id
    clusterId
    vmid
    type
    node
    name
    status
    template
    cpus
    maxMem
    maxDisk
    tags
    lock
    hastate
    pool
    description
    agentEnabled
    cpuUsage
    memUsed
    diskUsed
    netIn
    netOut
    diskRead
    diskWrite
    uptime
    lastSyncedAt
    ipAddresses {
      nicName
      macAddress
      ipAddress
      ipVersion
      prefixLength
      configNic
    }
  }
`);

export const ListVms = graphql(`
  query ListVms($filter: VmFilter, $first: Int, $after: String) {
    vms(filter: $filter, first: $first, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        hasPreviousPage
        startCursor
        endCursor
      }
      edges {
        cursor
        node {
          ...VmFields
        }
      }
    }
  }
`);

export const ListVmKeys = graphql(`
  query ListVmKeys($filter: VmFilter, $first: Int, $after: String) {
    vms(filter: $filter, first: $first, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        hasPreviousPage
        startCursor
        endCursor
      }
      edges {
        cursor
        node {
          clusterId
          vmid
          name
        }
      }
    }
  }
`);

export const VmPageOnly = graphql(`
  query VmPageOnly($filter: VmFilter, $first: Int, $after: String) {
    vms(filter: $filter, first: $first, after: $after) {
      edges {
        node {
          vmid
        }
      }
    }
  }
`);

export const GetVm = graphql(`
  query GetVm($clusterId: ID!, $vmid: Int!) {
    vm(clusterId: $clusterId, vmid: $vmid) {
      ...VmFields
      pveNode {
        id
        name
        status
      }
      cluster {
        id
        name
      }
    }
  }
`);

export const ListNodes = graphql(`
  query ListNodes($filter: NodeFilter, $first: Int, $after: String) {
    nodes(filter: $filter, first: $first, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        hasPreviousPage
        startCursor
        endCursor
      }
      edges {
        cursor
        node {
          id
          clusterId
          name
          status
          ipAddress
          level
          maxCpu
          maxMem
          maxDisk
          cpuUsage
          memUsed
          diskUsed
          uptime
          lastSyncedAt
          cluster {
            id
            name
          }
        }
      }
    }
  }
`);

export const ListStorages = graphql(`
  query ListStorages($filter: StorageFilter, $first: Int, $after: String) {
    storages(filter: $filter, first: $first, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        cursor
        node {
          id
          clusterId
          node
          name
          type
          content
          status
          active
          enabled
          shared
          total
          used
          avail
          usedFraction
          lastSyncedAt
          pveNode {
            name
          }
          cluster {
            id
          }
        }
      }
    }
  }
`);

export const ListTemplates = graphql(`
  query ListTemplates($clusterId: ID) {
    templates(clusterId: $clusterId) {
      id
      clusterId
      vmid
      name
      node
      type
      description
      vm {
        vmid
        template
        status
      }
      cluster {
        id
      }
    }
  }
`);

export const ClusterInventory = graphql(`
  query ClusterInventory($first: Int, $vmFilter: ClusterVmFilter, $after: String) {
    clusters {
      id
      name
      counts {
        nodes
        onlineNodes
        vms
        runningVms
        templates
        storages
      }
      nodes(first: $first) {
        totalCount
        edges {
          node {
            name
            status
          }
        }
      }
      vms(first: $first, filter: $vmFilter, after: $after) {
        totalCount
        pageInfo {
          hasNextPage
          hasPreviousPage
          endCursor
        }
        edges {
          cursor
          node {
            vmid
            name
            node
            ipAddresses {
              ipAddress
            }
            pveNode {
              name
            }
            cluster {
              id
            }
          }
        }
      }
      storages(first: $first, filter: { shared: true }) {
        totalCount
        edges {
          node {
            node
            name
          }
        }
      }
      templates {
        vmid
      }
    }
  }
`);

export const NodeInventory = graphql(`
  query NodeInventory($first: Int, $vmFirst: Int, $vmFilter: NodeVmFilter) {
    nodes(first: $first) {
      edges {
        node {
          clusterId
          name
          vms(first: $vmFirst, filter: $vmFilter) {
            totalCount
            pageInfo {
              hasNextPage
            }
            edges {
              node {
                vmid
                node
                ipAddresses {
                  ipAddress
                }
              }
            }
          }
          storages(filter: { content: "images" }) {
            totalCount
            edges {
              node {
                name
              }
            }
          }
        }
      }
    }
  }
`);

export const Dashboard = graphql(`
  query Dashboard($filter: VmFilter, $first: Int) {
    vms(filter: $filter, first: $first) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        cursor
        node {
          ...VmFields
          pveNode {
            name
            status
          }
          cluster {
            id
            name
          }
        }
      }
    }
  }
`);

export const VmList = graphql(`
  query VmList($filter: VmFilter, $first: Int) {
    vms(filter: $filter, first: $first) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          id
          vmid
          name
          node
          type
          status
          tags
          cpus
          maxMem
          memUsed
          cpuUsage
          uptime
          ipAddresses {
            ipAddress
          }
        }
      }
    }
  }
`);

export const NestedAbuse = graphql(`
  query NestedAbuse {
    nodes(first: 500) {
      edges {
        node {
          vms(first: 500) {
            edges {
              node {
                vmid
                ipAddresses {
                  ipAddress
                }
              }
            }
          }
        }
      }
    }
  }
`);

export const VmConnectionTotal = graphql(`
  fragment VmConnectionTotal on PveVmConnection {
    totalCount
  }
`);

export const VmCountInFragment = graphql(`
  query VmCountInFragment($filter: VmFilter) {
    vms(filter: $filter, first: 1) {
      ...VmConnectionTotal
      edges {
        cursor
      }
    }
  }
`);

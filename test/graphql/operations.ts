import { graphql } from '../generated/gql.js';

/** The operations the cluster API tests run, typed by codegen. */

export const ClusterFields = graphql(`
  fragment ClusterFields on PveCluster {
    id
    name
    alias
    env
    apiUrl
    tokenId
    hasToken
    isEnabled
    isSchedulable
    creator
    tlsFingerprint
    tlsInsecure
    createdAt
    updatedAt
    sync {
      state
      lastSyncedAt
      lastError
    }
  }
`);

export const ListClusters = graphql(`
  query ListClusters {
    clusters {
      ...ClusterFields
    }
  }
`);

export const GetCluster = graphql(`
  query GetCluster($id: ID!) {
    cluster(id: $id) {
      ...ClusterFields
    }
  }
`);

export const CreateCluster = graphql(`
  mutation CreateCluster($input: CreateClusterInput!) {
    createCluster(input: $input) {
      ...ClusterFields
    }
  }
`);

export const UpdateCluster = graphql(`
  mutation UpdateCluster($id: ID!, $input: UpdateClusterInput!) {
    updateCluster(id: $id, input: $input) {
      ...ClusterFields
    }
  }
`);

export const SetClusterEnabled = graphql(`
  mutation SetClusterEnabled($id: ID!, $enabled: Boolean!) {
    setClusterEnabled(id: $id, enabled: $enabled) {
      ...ClusterFields
    }
  }
`);

export const SetClusterSchedulable = graphql(`
  mutation SetClusterSchedulable($id: ID!, $schedulable: Boolean!) {
    setClusterSchedulable(id: $id, schedulable: $schedulable) {
      ...ClusterFields
    }
  }
`);

export const DeleteCluster = graphql(`
  mutation DeleteCluster($id: ID!) {
    deleteCluster(id: $id)
  }
`);

/* eslint-disable */
import * as types from './graphql.js';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  fragment ClusterFields on PveCluster {\n    id\n    name\n    alias\n    env\n    apiUrl\n    tokenId\n    hasToken\n    isEnabled\n    isSchedulable\n    creator\n    tlsFingerprint\n    tlsInsecure\n    createdAt\n    updatedAt\n    sync {\n      state\n      lastSyncedAt\n      lastError\n    }\n  }\n": typeof types.ClusterFieldsFragmentDoc,
    "\n  query ListClusters {\n    clusters {\n      ...ClusterFields\n    }\n  }\n": typeof types.ListClustersDocument,
    "\n  query GetCluster($id: ID!) {\n    cluster(id: $id) {\n      ...ClusterFields\n    }\n  }\n": typeof types.GetClusterDocument,
    "\n  mutation CreateCluster($input: CreateClusterInput!) {\n    createCluster(input: $input) {\n      ...ClusterFields\n    }\n  }\n": typeof types.CreateClusterDocument,
    "\n  mutation UpdateCluster($id: ID!, $input: UpdateClusterInput!) {\n    updateCluster(id: $id, input: $input) {\n      ...ClusterFields\n    }\n  }\n": typeof types.UpdateClusterDocument,
    "\n  mutation SetClusterEnabled($id: ID!, $enabled: Boolean!) {\n    setClusterEnabled(id: $id, enabled: $enabled) {\n      ...ClusterFields\n    }\n  }\n": typeof types.SetClusterEnabledDocument,
    "\n  mutation SetClusterSchedulable($id: ID!, $schedulable: Boolean!) {\n    setClusterSchedulable(id: $id, schedulable: $schedulable) {\n      ...ClusterFields\n    }\n  }\n": typeof types.SetClusterSchedulableDocument,
    "\n  mutation DeleteCluster($id: ID!) {\n    deleteCluster(id: $id)\n  }\n": typeof types.DeleteClusterDocument,
};
const documents: Documents = {
    "\n  fragment ClusterFields on PveCluster {\n    id\n    name\n    alias\n    env\n    apiUrl\n    tokenId\n    hasToken\n    isEnabled\n    isSchedulable\n    creator\n    tlsFingerprint\n    tlsInsecure\n    createdAt\n    updatedAt\n    sync {\n      state\n      lastSyncedAt\n      lastError\n    }\n  }\n": types.ClusterFieldsFragmentDoc,
    "\n  query ListClusters {\n    clusters {\n      ...ClusterFields\n    }\n  }\n": types.ListClustersDocument,
    "\n  query GetCluster($id: ID!) {\n    cluster(id: $id) {\n      ...ClusterFields\n    }\n  }\n": types.GetClusterDocument,
    "\n  mutation CreateCluster($input: CreateClusterInput!) {\n    createCluster(input: $input) {\n      ...ClusterFields\n    }\n  }\n": types.CreateClusterDocument,
    "\n  mutation UpdateCluster($id: ID!, $input: UpdateClusterInput!) {\n    updateCluster(id: $id, input: $input) {\n      ...ClusterFields\n    }\n  }\n": types.UpdateClusterDocument,
    "\n  mutation SetClusterEnabled($id: ID!, $enabled: Boolean!) {\n    setClusterEnabled(id: $id, enabled: $enabled) {\n      ...ClusterFields\n    }\n  }\n": types.SetClusterEnabledDocument,
    "\n  mutation SetClusterSchedulable($id: ID!, $schedulable: Boolean!) {\n    setClusterSchedulable(id: $id, schedulable: $schedulable) {\n      ...ClusterFields\n    }\n  }\n": types.SetClusterSchedulableDocument,
    "\n  mutation DeleteCluster($id: ID!) {\n    deleteCluster(id: $id)\n  }\n": types.DeleteClusterDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment ClusterFields on PveCluster {\n    id\n    name\n    alias\n    env\n    apiUrl\n    tokenId\n    hasToken\n    isEnabled\n    isSchedulable\n    creator\n    tlsFingerprint\n    tlsInsecure\n    createdAt\n    updatedAt\n    sync {\n      state\n      lastSyncedAt\n      lastError\n    }\n  }\n"): (typeof documents)["\n  fragment ClusterFields on PveCluster {\n    id\n    name\n    alias\n    env\n    apiUrl\n    tokenId\n    hasToken\n    isEnabled\n    isSchedulable\n    creator\n    tlsFingerprint\n    tlsInsecure\n    createdAt\n    updatedAt\n    sync {\n      state\n      lastSyncedAt\n      lastError\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ListClusters {\n    clusters {\n      ...ClusterFields\n    }\n  }\n"): (typeof documents)["\n  query ListClusters {\n    clusters {\n      ...ClusterFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query GetCluster($id: ID!) {\n    cluster(id: $id) {\n      ...ClusterFields\n    }\n  }\n"): (typeof documents)["\n  query GetCluster($id: ID!) {\n    cluster(id: $id) {\n      ...ClusterFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateCluster($input: CreateClusterInput!) {\n    createCluster(input: $input) {\n      ...ClusterFields\n    }\n  }\n"): (typeof documents)["\n  mutation CreateCluster($input: CreateClusterInput!) {\n    createCluster(input: $input) {\n      ...ClusterFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateCluster($id: ID!, $input: UpdateClusterInput!) {\n    updateCluster(id: $id, input: $input) {\n      ...ClusterFields\n    }\n  }\n"): (typeof documents)["\n  mutation UpdateCluster($id: ID!, $input: UpdateClusterInput!) {\n    updateCluster(id: $id, input: $input) {\n      ...ClusterFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SetClusterEnabled($id: ID!, $enabled: Boolean!) {\n    setClusterEnabled(id: $id, enabled: $enabled) {\n      ...ClusterFields\n    }\n  }\n"): (typeof documents)["\n  mutation SetClusterEnabled($id: ID!, $enabled: Boolean!) {\n    setClusterEnabled(id: $id, enabled: $enabled) {\n      ...ClusterFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SetClusterSchedulable($id: ID!, $schedulable: Boolean!) {\n    setClusterSchedulable(id: $id, schedulable: $schedulable) {\n      ...ClusterFields\n    }\n  }\n"): (typeof documents)["\n  mutation SetClusterSchedulable($id: ID!, $schedulable: Boolean!) {\n    setClusterSchedulable(id: $id, schedulable: $schedulable) {\n      ...ClusterFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeleteCluster($id: ID!) {\n    deleteCluster(id: $id)\n  }\n"): (typeof documents)["\n  mutation DeleteCluster($id: ID!) {\n    deleteCluster(id: $id)\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;
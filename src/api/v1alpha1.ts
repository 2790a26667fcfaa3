// Types of the GatewayDomainCertificate custom resource, mirroring
// crds/apig-cert-sync.io_gatewaydomaincertificates.yaml field for field.
import type { V1ObjectMeta } from '@kubernetes/client-node';

export const GROUP = 'apig-cert-sync.io';
export const VERSION = 'v1alpha1';
export const KIND = 'GatewayDomainCertificate';
export const PLURAL = 'gatewaydomaincertificates';
export const API_VERSION = `${GROUP}/${VERSION}`;
export const FINALIZER = `${GROUP}/finalizer`;

export type GatewayService = 'apig' | 'roma';
export type SyncMode = 'Domain' | 'Shared';
export type DeletionPolicy = 'Retain' | 'Detach';

export interface GatewayRef {
  service: GatewayService;
  endpoint?: string;
  iamEndpoint?: string;
  region?: string;
  projectId: string;
  instanceId?: string;
  groupId?: string;
  domainId?: string;
  domain?: string;
}

export interface SharedDomain {
  name: string;
  instanceIds: string[];
}

export interface GatewayDomainCertificateSpec {
  secretName: string;
  gateway: GatewayRef;
  credentialsSecretRef: { name: string };
  mode?: SyncMode;
  domains?: SharedDomain[];
  certificateName?: string;
  clientVerification?: { enabled?: boolean; caKey?: string };
  deletionPolicy?: DeletionPolicy;
  suspend?: boolean;
  verifyInterval?: string;
}

export type ConditionStatus = 'True' | 'False' | 'Unknown';

/**
 * Ready is the summary; Reconciling and Stalled follow kstatus (sigs.k8s.io/cli-utils), which Flux,
 * kpt and Config Sync read: present and True only while work is under way / a human is needed.
 */
export const ConditionType = {
  Ready: 'Ready',
  Reconciling: 'Reconciling',
  Stalled: 'Stalled',
} as const;

export interface Condition {
  type: string;
  status: ConditionStatus;
  observedGeneration?: number;
  lastTransitionTime: string;
  reason: string;
  message: string;
}

export interface CertificateStatus {
  id?: string;
  name?: string;
  serialNumber?: string;
  sha256Fingerprint?: string;
  notBefore?: string;
  notAfter?: string;
  dnsNames?: string[];
  issuer?: string;
  contentHash?: string;
}

export interface DomainStatus {
  id?: string;
  name?: string;
  instanceId?: string;
  groupId?: string;
  cnameStatus?: number;
  minSslVersion?: string;
}

/** A create or upload whose outcome may be unknown: the next attempt looks for it before writing. */
export interface PendingWrite {
  name?: string;
  serialNumber?: string;
  since?: string;
}

export interface GatewayDomainCertificateStatus {
  observedGeneration?: number;
  conditions?: Condition[];
  certificate?: CertificateStatus;
  domains?: DomainStatus[];
  lastSyncTime?: string;
  lastVerifiedTime?: string;
  failures?: number;
  nextRetryTime?: string;
  /** Recorded just before a non-idempotent write, cleared by the sync that confirms it. */
  pendingWrite?: PendingWrite;
  /** Digest of the TLS Secret's data at the last sync: equal to the watch's digest means unchanged. */
  secretDigest?: string;
}

export interface GatewayDomainCertificate {
  apiVersion: typeof API_VERSION;
  kind: typeof KIND;
  metadata: V1ObjectMeta & { name: string; namespace: string };
  spec: GatewayDomainCertificateSpec;
  status?: GatewayDomainCertificateStatus;
}

/** Condition reasons: CamelCase, the vocabulary users see in `kubectl describe` and alerts. */
export const Reason = {
  Synced: 'Synced',
  /** A new or changed resource the operator has seen and is working on. */
  Progressing: 'Progressing',
  InvalidSpec: 'InvalidSpec',
  Suspended: 'Suspended',
  SecretNotFound: 'SecretNotFound',
  /** The Secret holds cert-manager's temporary certificate: issuance still in progress. */
  IssuancePending: 'IssuancePending',
  InvalidSecret: 'InvalidSecret',
  InvalidCertificate: 'InvalidCertificate',
  InvalidKey: 'InvalidKey',
  KeyMismatch: 'KeyMismatch',
  Expired: 'Expired',
  NotYetValid: 'NotYetValid',
  ChainOrder: 'ChainOrder',
  DomainNotCovered: 'DomainNotCovered',
  ValidityTooLong: 'ValidityTooLong',
  CredentialsNotFound: 'CredentialsNotFound',
  CredentialsInvalid: 'CredentialsInvalid',
  PermissionDenied: 'PermissionDenied',
  DomainNotFound: 'DomainNotFound',
  DomainConflict: 'DomainConflict',
  GatewayRejected: 'GatewayRejected',
  GatewayUnavailable: 'GatewayUnavailable',
  KubernetesError: 'KubernetesError',
  VerificationFailed: 'VerificationFailed',
  Deleting: 'Deleting',
  DeletionFailed: 'DeletionFailed',
} as const;
export type Reason = (typeof Reason)[keyof typeof Reason];

// Certificate handling the reconciler uses before talking to the gateway.
export {
  type BundleFailureReason,
  type CertificateBundle,
  MAX_NOT_AFTER,
  type PrepareInput,
  type PrepareResult,
  prepareBundle,
} from './bundle.ts';
export { type ChainResult, isIssuedBy, orderChain } from './chain.ts';
export { contentDigest } from './digest.ts';
export { certificateNames, nameMatchesDomain, normaliseDomain, uncoveredDomains } from './domains.ts';
export { type CertificateInfo, inspectCertificate, type KeyAlgorithm } from './inspect.ts';
export { describeKey, keyMatchesCertificate, type ParsedKey, parsePrivateKey } from './key.ts';
export { type PemBlock, PemError, parseCertificateChain, parsePemBlocks, toPem } from './pem.ts';
export { isTemporaryCertificate } from './temporary.ts';

// Public surface of the gateway client.
export { createGatewayClient, type GatewayClient, normaliseDomainName } from './client.ts';
export { classify, GatewayError, type GatewayErrorKind } from './errors.ts';
export type {
  AkSkCredentials,
  CallEvent,
  GatewayClientOptions,
  GatewayCredentials,
  GatewayLogger,
  OperationName,
  PasswordCredentials,
  RateLimitOptions,
  RetryOptions,
  TimeoutOptions,
} from './options.ts';
export { signRequest } from './signer.ts';
export type * from './types.ts';
export { sslInfoScope } from './types.ts';

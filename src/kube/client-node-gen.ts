// Stands in for @kubernetes/client-node's dist/gen/index.js when its config.js imports it (see
// lean-loading.ts): config.js needs only these two, and the real index loads ~40 MiB of generated
// API clients and models. A name missing here fails the operator's start-up loudly (SyntaxError).
export { createConfiguration } from '@kubernetes/client-node/dist/gen/configuration.js';
export { ServerConfiguration } from '@kubernetes/client-node/dist/gen/servers.js';

// The parts of @kubernetes/client-node the operator runs on: kubeconfig loading and authentication
// (KubeConfig) and the request context that carries credentials. Imported
// from the library's dist files, not its index, which loads every generated API client and model
// (~50 MiB RSS). lean-loading.ts keeps config.js from pulling them in too.
export { KubeConfig } from '@kubernetes/client-node/dist/config.js';
export { HttpMethod, RequestContext } from '@kubernetes/client-node/dist/gen/http/http.js';

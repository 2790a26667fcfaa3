// The install manifests as objects: rendered by the real kubectl's kustomize, or read from YAML files,
// so tests check (and apply) exactly what a user would.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadAllYaml } from '@kubernetes/client-node';
import { kubectl } from './kube.ts';

export const REPO = resolve(import.meta.dirname, '../..');
export const DEPLOY = join(REPO, 'deploy');

export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  // biome-ignore lint/suspicious/noExplicitAny: manifests are free-form; tests read the fields they need
  [field: string]: any;
}

export interface PolicyRule {
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  verbs: string[];
}

export function parseManifests(yaml: string): Manifest[] {
  return (loadAllYaml(yaml) as Array<Manifest | null>).filter((m): m is Manifest => !!m?.kind);
}

/** A YAML file, or every *.yaml file of a directory (not recursive). */
export function readManifests(path: string): Manifest[] {
  const files = statSync(path).isDirectory()
    ? readdirSync(path)
        .filter((f) => f.endsWith('.yaml'))
        .sort()
        .map((f) => join(path, f))
    : [path];
  return files.flatMap((f) => parseManifests(readFileSync(f, 'utf8')));
}

/** `kubectl kustomize <dir>`: what `kubectl apply -k <dir>` would send. */
export async function kustomize(dir: string): Promise<Manifest[]> {
  const { stdout } = await kubectl(['kustomize', dir]);
  return parseManifests(stdout);
}

export function find(list: Manifest[], kind: string, name?: string): Manifest {
  const found = list.find((m) => m.kind === kind && (name === undefined || m.metadata.name === name));
  if (!found)
    throw new Error(`no ${kind}${name ? ` ${name}` : ''} among ${list.map((m) => m.kind).join(', ')}`);
  return found;
}

/** The one operator container of the Deployment. */
// biome-ignore lint/suspicious/noExplicitAny: see Manifest
export function operatorContainer(list: Manifest[]): any {
  return find(list, 'Deployment', 'apig-cert-sync').spec.template.spec.containers[0];
}

/**
 * How the Deployment runs Node: the flags its command gives before the script (e.g. --liftoff-only),
 * the environment that tunes memory (NODE_OPTIONS for V8's heap, MALLOC_* for glibc), and the operator's
 * own args but the listen addresses, which a test process on loopback picks itself (e.g. --leader-elect).
 */
export function operatorRuntime(
  container = operatorContainer(readManifests(join(DEPLOY, 'base/deployment.yaml'))),
): { nodeArgs: string[]; env: Record<string, string>; args: string[] } {
  const command = container.command as string[];
  const script = command.findIndex((a) => a.endsWith('.js'));
  const env = Object.fromEntries(
    (container.env as { name: string; value?: string }[])
      .filter((e) => (e.name === 'NODE_OPTIONS' || e.name.startsWith('MALLOC_')) && e.value !== undefined)
      .map((e) => [e.name, e.value!]),
  );
  const args = ((container.args ?? []) as string[]).filter((a) => !/^--[a-z-]*bind-address(=|$)/.test(a));
  return { nodeArgs: command.slice(1, script), env, args };
}

// buildah over the project's own image store, as this machine allows (no container engine): vfs
// storage, chroot isolation, the host's network (loopback only is used). Base images come from
// test/image/base-images.sh; containers started here run `buildah run`, as podman run cannot here.
import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);
const REPO_ROOT = resolve(import.meta.dirname, '../..');

/** A digest of everything a build can see: the build context's sources, the Dockerfile, the bases. */
function contextKey(store: Store, more: string[]): string {
  const hash = createHash('sha256').update(JSON.stringify([store.node, store.runtime, more]));
  const dockerfile = more[more.indexOf('-f') + 1];
  if (more.includes('-f') && dockerfile) hash.update(readFileSync(dockerfile));
  const add = (rel: string) => {
    const full = join(REPO_ROOT, rel);
    if (!existsSync(full)) return;
    if (statSync(full).isDirectory()) {
      for (const name of readdirSync(full).sort()) add(`${rel}/${name}`);
    } else hash.update(`${rel}\0`).update(readFileSync(full)).update('\0');
  };
  for (const rel of ['Dockerfile', '.dockerignore', 'package.json', 'package-lock.json', 'tsconfig.json'])
    add(rel);
  for (const rel of ['tsconfig.build.json', 'src', 'test/emulator']) add(rel);
  return hash.digest('hex').slice(0, 12);
}

export interface Store {
  node: string;
  runtime: string;
  root: string;
  runroot: string;
}

/** The stand-in base images (built once per machine, then cached). */
export function baseImages(): Store {
  const script = resolve(import.meta.dirname, 'base-images.sh');
  const out = execFileSync('bash', [script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  return JSON.parse(out.trim().split('\n').at(-1)!) as Store;
}

export interface ImageConfig {
  User?: string;
  Entrypoint?: string[];
  Cmd?: string[];
  WorkingDir?: string;
  Env?: string[];
  Labels?: Record<string, string>;
}

/**
 * The argv a kubelet starts for a container spec on this image: `command` replaces the image's
 * Entrypoint (and then its Cmd is dropped), `args` replaces its Cmd.
 */
export function deploymentArgv(
  container: { command?: string[]; args?: string[] },
  image: ImageConfig,
): string[] {
  const entrypoint = container.command ?? image.Entrypoint ?? [];
  const cmd = container.args ?? (container.command ? [] : (image.Cmd ?? []));
  return [...entrypoint, ...cmd];
}

export class Buildah {
  readonly store: Store;
  constructor(store: Store) {
    this.store = store;
  }

  /** Global flags selecting the project's store. */
  get flags(): string[] {
    return ['--root', this.store.root, '--runroot', this.store.runroot, '--storage-driver', 'vfs'];
  }

  async exec(args: string[]): Promise<string> {
    const { stdout } = await execFileP('buildah', [...this.flags, ...args], { maxBuffer: 64 << 20 });
    return stdout.trim();
  }

  /** `buildah bud` of the repository's Dockerfile with the stand-in base images. */
  bud(context: string, tag: string, more: string[] = []): Promise<string> {
    return this.exec([
      'bud',
      ...['--isolation', 'chroot', '--network', 'host', '--layers', '--quiet'],
      ...[
        '--build-arg',
        `NODE_IMAGE=${this.store.node}`,
        '--build-arg',
        `RUNTIME_IMAGE=${this.store.runtime}`,
      ],
      ...['-t', tag, ...more, context],
    ]);
  }

  async exists(image: string): Promise<boolean> {
    return this.exec(['inspect', '--type', 'image', image]).then(
      () => true,
      () => false,
    );
  }

  /**
   * Builds `name:<tag>-<key>` unless an image of the same inputs (build context, Dockerfile, base
   * images) is already there. Returns the image and whether it was built now.
   */
  async build(name: string, tag: string, more: string[] = []): Promise<{ image: string; built: boolean }> {
    const image = `${name}:${tag}-${contextKey(this.store, more)}`;
    if (await this.exists(image)) return { image, built: false };
    await this.bud(REPO_ROOT, image, more);
    await this.collect([image]);
    return { image, built: true };
  }

  /**
   * vfs keeps a full copy per layer, so the store would grow by gigabytes a day: images older than two
   * hours go (newest first, so children before parents), except the base images and `keep`. Younger
   * ones may belong to a test run going on in another worktree; an image a container uses stays.
   */
  private async collect(keep: string[]): Promise<void> {
    const kept = new Set([this.store.node, this.store.runtime, ...keep]);
    const all = JSON.parse(await this.exec(['images', '--all', '--json'])) as Array<{
      id: string;
      names: string[] | null;
      created: number;
    }>;
    const cutoff = Date.now() / 1000 - 2 * 3600;
    const old = all
      .filter((i) => i.created < cutoff && !(i.names ?? []).some((n) => kept.has(n)))
      .sort((x, y) => y.created - x.created);
    for (const i of old) await this.exec(['rmi', i.id]).catch(() => undefined);
  }

  async config(image: string): Promise<ImageConfig> {
    const info = JSON.parse(await this.exec(['inspect', '--type', 'image', image])) as {
      OCIv1: { config: ImageConfig };
    };
    return info.OCIv1.config;
  }

  /** A working container of the image, and where its root filesystem is on this machine. */
  async container(image: string): Promise<{ id: string; root: string }> {
    const id = await this.exec(['from', '--pull-never', image]);
    return { id, root: await this.exec(['mount', id]) };
  }

  async remove(id: string): Promise<void> {
    await this.exec(['rm', id]).catch(() => undefined);
  }

  /** argv for `buildah run` (to spawn), as root of this machine runs it. */
  runArgs(
    id: string,
    opts: { user: string; volumes?: string[]; env?: Record<string, string> },
    command: string[],
  ): string[] {
    return [
      ...this.flags,
      'run',
      ...['--isolation', 'chroot', '--network', 'host', '--user', opts.user],
      ...(opts.volumes ?? []).flatMap((v) => ['-v', v]),
      ...Object.entries(opts.env ?? {}).flatMap(([k, v]) => ['--env', `${k}=${v}`]),
      id,
      '--',
      ...command,
    ];
  }
}

/** Every entry under a root filesystem with what identifies its content: type, mode, owner, size, mtime. */
export function snapshot(root: string): Map<string, string> {
  const entries = new Map<string, string>();
  const walk = (rel: string) => {
    for (const name of readdirSync(join(root, rel))) {
      const path = `${rel}/${name}`;
      const st = lstatSync(join(root, path));
      const what = st.isSymbolicLink() ? `-> ${readlinkSync(join(root, path))}` : `${st.size}`;
      entries.set(path, `${st.mode.toString(8)} ${st.uid}:${st.gid} ${what} ${st.mtimeMs}`);
      if (st.isDirectory()) walk(path);
    }
  };
  walk('');
  return entries;
}

/** What changed between two snapshots: "+ path", "- path", "~ path". */
export function diff(before: Map<string, string>, after: Map<string, string>): string[] {
  const out: string[] = [];
  for (const [p, v] of after) {
    if (!before.has(p)) out.push(`+ ${p}`);
    else if (before.get(p) !== v) out.push(`~ ${p}`);
  }
  for (const p of before.keys()) if (!after.has(p)) out.push(`- ${p}`);
  return out.sort();
}

/**
 * The processes descended from `ancestor` (our own `buildah run`) that run `program`, with their real
 * uid: what the container runs, seen from this machine.
 */
export function descendants(ancestor: number, program: string): Array<{ pid: number; uid: number }> {
  const parent = new Map<number, number>();
  const info = new Map<number, { uid: number; argv0: string }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const status = readFileSync(`/proc/${entry}/status`, 'utf8');
      parent.set(Number(entry), Number(/^PPid:\s+(\d+)/m.exec(status)?.[1]));
      const argv0 = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0')[0] ?? '';
      info.set(Number(entry), { uid: Number(/^Uid:\s+(\d+)/m.exec(status)?.[1]), argv0 });
    } catch {
      // gone meanwhile
    }
  }
  const under = (pid: number): boolean => {
    for (let p = parent.get(pid); p !== undefined && p > 1; p = parent.get(p))
      if (p === ancestor) return true;
    return false;
  };
  return [...info]
    .filter(([pid, i]) => (i.argv0 === program || i.argv0.endsWith(`/${program}`)) && under(pid))
    .map(([pid, i]) => ({ pid, uid: i.uid }));
}

// hadolint-style checks of the Dockerfile that can be done in code (Docker is not needed): base images
// pinned, non-root numeric USER, npm ci, no ADD, absolute WORKDIR, exec-form CMD, OCI labels, and every
// COPY source either in the build context (existing, not excluded by .dockerignore) or produced by
// an earlier stage (a tiny model of what each stage's WORKDIR / COPY / RUN leaves on disk).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, posix } from 'node:path';

export interface Instruction {
  line: number;
  op: string;
  args: string;
}

export interface Stage {
  name: string | undefined;
  base: string;
  index: number;
  instructions: Instruction[];
}

export interface Finding {
  rule: string;
  line: number;
  message: string;
}

export function parseDockerfile(text: string): { globalArgs: Map<string, string>; stages: Stage[] } {
  const instructions: Instruction[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    let logical = lines[i] ?? '';
    if (/^\s*#/.test(logical) || logical.trim() === '') continue;
    while (logical.endsWith('\\') && i + 1 < lines.length) {
      i++;
      const next = lines[i] ?? '';
      if (/^\s*#/.test(next)) continue;
      logical = `${logical.slice(0, -1)} ${next.trim()}`;
    }
    const m = /^\s*(\w+)\s*(.*)$/.exec(logical);
    if (m) instructions.push({ line: start + 1, op: m[1]!.toUpperCase(), args: m[2]!.trim() });
  }
  const globalArgs = new Map<string, string>();
  const stages: Stage[] = [];
  for (const ins of instructions) {
    if (ins.op === 'FROM') {
      const [base = '', as, name] = ins.args.replace(/--platform=\S+\s+/, '').split(/\s+/);
      stages.push({
        base,
        name: as?.toUpperCase() === 'AS' ? name : undefined,
        index: stages.length,
        instructions: [],
      });
    } else if (stages.length === 0) {
      if (ins.op === 'ARG') {
        const [k = '', v = ''] = ins.args.split('=');
        globalArgs.set(k, v.replace(/^"|"$/g, ''));
      }
    } else {
      stages.at(-1)!.instructions.push(ins);
    }
  }
  return { globalArgs, stages };
}

const expand = (s: string, vars: Map<string, string>) =>
  s.replace(
    /\$\{(\w+)\}|\$(\w+)/g,
    (_m, a: string | undefined, b: string | undefined) => vars.get((a ?? b)!) ?? '',
  );

/** .dockerignore as Docker reads it: last matching pattern wins, `!` re-includes, a match on a parent directory counts. */
export function dockerIgnore(text: string): (path: string) => boolean {
  const patterns = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const negate = l.startsWith('!');
      const p = posix.normalize((negate ? l.slice(1) : l).replace(/^\/+/, '')).replace(/\/+$/, '');
      let re = '';
      for (let i = 0; i < p.length; i++) {
        const c = p[i]!;
        if (c === '*' && p[i + 1] === '*') {
          re += p[i + 2] === '/' ? '(.*/)?' : '.*';
          i += p[i + 2] === '/' ? 2 : 1;
        } else if (c === '*') re += '[^/]*';
        else if (c === '?') re += '[^/]';
        else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
      }
      return { negate, re: new RegExp(`^${re}$`) };
    });
  return (path) => {
    const parts = posix.normalize(path).split('/');
    const candidates = parts.map((_p, i) => parts.slice(0, i + 1).join('/'));
    let excluded = false;
    for (const p of patterns) {
      if (candidates.some((c) => p.re.test(c))) excluded = !p.negate;
    }
    return excluded;
  };
}

function filesUnder(root: string, rel: string): string[] {
  const full = join(root, rel);
  if (!statSync(full).isDirectory()) return [rel];
  return readdirSync(full).flatMap((f) => (f === 'node_modules' ? [] : filesUnder(root, posix.join(rel, f))));
}

function outDirOf(repo: string, tsconfig: string): string | undefined {
  const json = JSON.parse(readFileSync(join(repo, tsconfig), 'utf8')) as {
    extends?: string;
    compilerOptions?: { outDir?: string };
  };
  return json.compilerOptions?.outDir ?? (json.extends ? outDirOf(repo, json.extends) : undefined);
}

const OCI_LABELS = ['title', 'description', 'source', 'version', 'revision', 'licenses'].map(
  (l) => `org.opencontainers.image.${l}`,
);

export function lintDockerfile(repo: string, dockerfile: string, dockerignore: string): Finding[] {
  const findings: Finding[] = [];
  const add = (rule: string, line: number, message: string) => findings.push({ rule, line, message });
  const { globalArgs, stages } = parseDockerfile(dockerfile);
  const ignored = dockerIgnore(dockerignore);
  // Stage name → what it holds: a WORKDIR is only the (empty) directory, COPY / RUN outputs hold their contents.
  const produced = new Map<string, Array<{ path: string; tree: boolean }>>();
  const final = stages.at(-1);
  if (!final) return [{ rule: 'stages', line: 1, message: 'no FROM' }];

  for (const stage of stages) {
    const base = expand(stage.base, globalArgs);
    const from = stages.slice(0, stage.index).find((s) => s.name === base);
    const held = from ? [...(produced.get(base) ?? [])] : [];
    const paths = {
      push: (path: string, tree = true) => held.push({ path, tree }),
      includes: (path: string) => held.some((h) => h.path === path),
    };
    const firstLine = (stage.instructions[0]?.line ?? 2) - 1;
    if (!from) {
      const [, tag] = /^[^@]+?(?::([^:/@]+))?(@sha256:[0-9a-f]{64})?$/.exec(base) ?? [];
      if (!base.includes('@sha256:') && !tag) add('DL3006', firstLine, `base image ${base} has no tag`);
      if (tag === 'latest') add('DL3007', firstLine, `base image ${base} uses latest`);
    }
    let workdir = '/';
    const vars = new Map(globalArgs);
    for (const ins of stage.instructions) {
      const args = expand(ins.args, vars);
      switch (ins.op) {
        case 'ARG':
        case 'ENV': {
          const [k = '', v = ''] = args.split(/[=\s]/, 2);
          if (ins.op === 'ARG') vars.set(k, v);
          if (/SECRET|PASSWORD|TOKEN|PRIVATE|ACCESS_?KEY/i.test(k))
            add('secrets', ins.line, `${ins.op} ${k} would bake a secret into the image`);
          break;
        }
        case 'MAINTAINER':
          add('DL4000', ins.line, 'MAINTAINER is deprecated; use a LABEL');
          break;
        case 'WORKDIR':
          if (!args.startsWith('/')) add('DL3000', ins.line, `WORKDIR ${args} is not absolute`);
          workdir = posix.resolve(workdir, args);
          paths.push(workdir, false);
          break;
        case 'ADD':
          if (!/^https?:\/\//.test(args.split(/\s+/).find((a) => !a.startsWith('--')) ?? ''))
            add('DL3020', ins.line, 'ADD for local files; use COPY');
          break;
        case 'RUN': {
          if (/\bnpm\s+(install|i)\b/.test(args))
            add('DL3016', ins.line, 'npm install; use npm ci (the lock file decides)');
          if (/(^|&&|;)\s*cd\s/.test(args)) add('DL3003', ins.line, 'cd in RUN; use WORKDIR');
          if (/\bnpm\s+ci\b/.test(args)) {
            if (!paths.includes(posix.join(workdir, 'package-lock.json')))
              add('copy', ins.line, 'npm ci before package-lock.json is copied in');
            paths.push(posix.join(workdir, 'node_modules'));
          }
          if (/\bnpm\s+run\s+build\b/.test(args)) {
            const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as {
              scripts?: Record<string, string>;
            };
            const project = /-p\s+(\S+)/.exec(pkg.scripts?.build ?? '')?.[1] ?? 'tsconfig.json';
            for (const need of [project, 'tsconfig.json', 'src']) {
              if (!paths.includes(posix.join(workdir, need)))
                add('copy', ins.line, `npm run build before ${need} is copied in`);
            }
            const out = outDirOf(repo, project);
            if (out) paths.push(posix.join(workdir, out));
          }
          break;
        }
        case 'COPY': {
          const words = args.split(/\s+/);
          const fromFlag = words.find((w) => w.startsWith('--from='))?.slice('--from='.length);
          const rest = words.filter((w) => !w.startsWith('--'));
          const dest = posix.resolve(workdir, rest.at(-1) ?? '.');
          const sources = rest.slice(0, -1);
          for (const src of sources) {
            if (fromFlag !== undefined) {
              const earlier = stages.slice(0, stage.index).find((s) => s.name === fromFlag);
              if (!earlier) {
                add('DL3022', ins.line, `COPY --from=${fromFlag}: no earlier stage of that name`);
                continue;
              }
              const have = produced.get(fromFlag) ?? [];
              const abs = posix.resolve('/', src);
              if (!have.some((h) => abs === h.path || (h.tree && abs.startsWith(`${h.path}/`))))
                add(
                  'copy',
                  ins.line,
                  `COPY --from=${fromFlag} ${src}: stage ${fromFlag} does not produce it`,
                );
            } else {
              const rel = posix.normalize(src).replace(/\/+$/, '');
              if (!existsSync(join(repo, rel))) {
                add('copy', ins.line, `COPY ${src}: not in the repository`);
                continue;
              }
              if (!filesUnder(repo, rel).some((f) => !ignored(f)))
                add('copy', ins.line, `COPY ${src}: excluded by .dockerignore`);
            }
            const target =
              sources.length > 1 || (rest.at(-1) ?? '').endsWith('/')
                ? posix.join(dest, posix.basename(src))
                : dest;
            paths.push(target);
          }
          break;
        }
        case 'CMD':
        case 'ENTRYPOINT':
          try {
            if (!Array.isArray(JSON.parse(args))) throw new Error();
          } catch {
            add('DL3025', ins.line, `${ins.op} is not in exec (JSON array) form`);
          }
          break;
      }
    }
    if (stage.name) produced.set(stage.name, held);
  }

  // The image that ships: last stage.
  const users = final.instructions.filter((i) => i.op === 'USER');
  const user = users.at(-1)?.args.split(':')[0];
  if (!user) add('DL3002', 1, 'final stage sets no USER');
  else if (!/^\d+$/.test(user) || user === '0')
    add(
      'DL3002',
      users.at(-1)!.line,
      `final USER ${user} must be a numeric non-root uid (runAsNonRoot checks it)`,
    );
  const labels = final.instructions
    .filter((i) => i.op === 'LABEL')
    .map((i) => i.args)
    .join(' ');
  for (const l of OCI_LABELS) if (!labels.includes(`${l}=`)) add('labels', 1, `final stage lacks LABEL ${l}`);
  for (const ins of final.instructions) {
    if (ins.op === 'COPY' && !ins.args.includes('--from='))
      add(
        'final',
        ins.line,
        'final stage copies from the build context; it should take only built artefacts',
      );
    const sources = ins.args
      .split(/\s+/)
      .filter((w) => !w.startsWith('--'))
      .slice(0, -1);
    if (
      ins.op === 'COPY' &&
      sources.some(
        (s) => /\.ts$|(^|\/)test(\/|$)/.test(s) || (/(^|\/)src\/?$/.test(s) && !/dist\/src\/?$/.test(s)),
      )
    )
      add('final', ins.line, 'final stage copies TypeScript or test sources');
    if (ins.op === 'RUN') add('final', ins.line, 'RUN in the distroless final stage (no shell there)');
  }
  return findings;
}

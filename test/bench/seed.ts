// A generated emulator seed big enough for the benchmark: N domains spread over two gateways in
// API groups of five (the service's limit), with the default seed's credentials.
import { randomBytes } from 'node:crypto';
import { defaultSeed, type Seed, validateSeed } from '../emulator/seed.ts';

export interface BenchDomain {
  name: string;
  instanceId: string;
}

const id = () => randomBytes(16).toString('hex');

export function generateSeed(n: number): { seed: Seed; domains: BenchDomain[] } {
  const base = defaultSeed();
  const gateways = [
    { id: id(), name: 'bench_gateway_1', groups: [] as Seed['gateways'][number]['groups'] },
    { id: id(), name: 'bench_gateway_2', groups: [] as Seed['gateways'][number]['groups'] },
  ];
  const domains: BenchDomain[] = [];
  for (let i = 0; i < n; i++) {
    const gw = gateways[i % gateways.length]!;
    let group = gw.groups.at(-1);
    if (!group || group.domains.length === 5) {
      group = { id: id(), name: `bench_group_${gw.groups.length}`, domains: [] };
      gw.groups.push(group);
    }
    const name = `d${i}.bench.example.com`;
    group.domains.push({ id: id(), name });
    domains.push({ name, instanceId: gw.id });
  }
  return {
    seed: validateSeed({ projectId: base.projectId, gateways, credentials: base.credentials }),
    domains,
  };
}

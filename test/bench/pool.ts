// Runs async jobs with a bounded number in flight (the API server and etcd share two cores with us).
export async function mapLimit<T>(
  count: number,
  limit: number,
  job: (i: number) => Promise<T>,
): Promise<T[]> {
  const out: T[] = new Array(count);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < count; i = next++) out[i] = await job(i);
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, worker));
  return out;
}

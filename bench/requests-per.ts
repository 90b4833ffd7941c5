/**
 * The emulators' requests between two readings (local/emulators.ts `requests()`), per run: how
 * many DynamoDB and S3 round trips one run costs, by operation, busiest first.
 */
export function requestsPer(before: Record<string, number>, after: Record<string, number>, per: number): Record<string, number> {
  const round = (n: number) => Math.round((n / per) * 100) / 100;
  const used = Object.entries(after)
    .map(([operation, n]) => [operation, n - (before[operation] ?? 0)] as const)
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1]);
  return { total: round(used.reduce((sum, [, n]) => sum + n, 0)), ...Object.fromEntries(used.map(([operation, n]) => [operation, round(n)])) };
}

/**
 * The words that agree with a count: `one` for exactly one, else `many` (`byCount(1, 'test fails',
 * 'tests fail')`), so a message about one test never speaks of it as several.
 */
export function byCount(count: number, one: string, many: string): string {
  return count === 1 ? one : many;
}

/** Who a released cable went to: the Department by name (a post's cables go to it), and the posts counted. */
export function distributionText(distribution: readonly string[]): string {
  const posts = distribution.filter((code) => code !== 'SECSTATE').length;
  const counted = posts === 0 ? [] : [`${posts} post${posts === 1 ? '' : 's'}`];
  return [...(distribution.includes('SECSTATE') ? ['the Department'] : []), ...counted].join(' and ');
}

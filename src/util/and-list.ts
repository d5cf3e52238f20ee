/** Parts as a sentence lists them: `a`, `a and b`, `a, b and c`. */
export function andList(parts: readonly string[]): string {
  return parts.length <= 2 ? parts.join(' and ') : `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
}

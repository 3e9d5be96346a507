/**
 * A URL template of a contract's operation (`/hooks/{id}/events`) as a regular
 * expression: each `{name}` one path segment, the rest literal. One reading for the sandbox's
 * routes and verify's URLs (no `node:` import).
 */
export function templateSource(template: string): { source: string; names: string[] } {
  const names: string[] = [];
  const source = template
    .split(/(\{[^}]+\})/)
    .map((part) => {
      const name = /^\{([^}]+)\}$/.exec(part)?.[1];
      if (name === undefined) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      names.push(name);
      return '([^/]+)';
    })
    .join('');
  return { source, names };
}

/** A URL template as a pattern at the end of a path (a receiver may be mounted under a prefix). */
export function templatePattern(template: string): { pattern: RegExp; names: string[] } {
  const { source, names } = templateSource(template);
  return { pattern: new RegExp(`${source}$`), names };
}

// Names a URL for the log without its path or query, which may carry tokens.

/** Scheme and host only, e.g. `https://example.com/…`. */
export function describeUrl(url: string): string {
  try {
    const { protocol, host } = new URL(url);
    return host ? `${protocol}//${host}/…` : `a ${protocol} URL`;
  } catch {
    return 'an invalid URL';
  }
}

// Stable instance ids for the hosts of an ssh-hosts pool, made from their names, so an id survives
// edits of the address and restarts of the app.

/** `GPU box #1` → `gpu-box-1`; empty or symbol-only names become `host`. */
export function hostSlug(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 48)
    .replace(/-+$/g, '');
  return slug || 'host';
}

/** One id per name, in order; a repeated slug gets `-2`, `-3`, … (saving refuses those anyway). */
export function hostIds(names: readonly string[]): string[] {
  const used = new Set<string>();
  return names.map((name) => {
    const base = hostSlug(name);
    let id = base;
    for (let n = 2; used.has(id); n++) id = `${base}-${n}`;
    used.add(id);
    return id;
  });
}

// The create-pool wizard's field labels by parameter path, so that a validation error names what
// the admin sees ("Most (autoscale)"), not the template's parameter ("maxInstances"). The labels
// live in src/common/pool-fields.ts, which the wizard's fields use too.
import { POOL_FIELD_LABELS as WIZARD_LABELS } from '../../../common/pool-fields';

/** Label of each pool parameter (and of the image's parts), as the wizard shows it. */
export const POOL_FIELD_LABELS: Record<string, string> = {
  ...WIZARD_LABELS,
  'image.publisher': 'Image publisher',
  'image.offer': 'Image offer',
  'image.sku': 'Image SKU',
  'image.version': 'Image version',
  'image.plan': 'Image plan',
};

/**
 * How an error names a field: its label in quotes (`"Who may reach SSH" range 2` for an item),
 * or the key itself when the wizard has no such field (an imported key it does not know).
 */
export function fieldLabel(path: readonly string[]): string {
  if (path.length === 0) return 'The settings';
  const whole = POOL_FIELD_LABELS[path.join('.')];
  if (whole) return `"${whole}"`;
  const top = POOL_FIELD_LABELS[path[0]];
  if (!top) return path.join('.');
  const rest = path.slice(1);
  if (rest.length === 1 && /^\d+$/.test(rest[0])) return `"${top}" range ${Number(rest[0]) + 1}`;
  return `"${top}" (${rest.join('.')})`;
}

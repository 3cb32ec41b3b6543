// The time zones an autoscale schedule may name: the Windows time zone ids that Azure Monitor's
// REST reference lists as valid for `recurrence.schedule.timeZone` and `fixedDate.timeZone`.
import type { AutoscaleTimeZone } from '../../../common/models';

/**
 * Ids as Azure stores them, with their standard (winter) UTC offset for the picker. The list is
 * the one in Azure's autoscale REST reference (the `timeZone` description of api-version
 * 2022-10-01); az's `profile list-timezones` mixes in display names that are not ids, so it is
 * not used.
 */
export const AUTOSCALE_TIME_ZONES: readonly AutoscaleTimeZone[] = [
  { id: 'Dateline Standard Time', offset: '-12:00' },
  { id: 'UTC-11', offset: '-11:00' },
  { id: 'Hawaiian Standard Time', offset: '-10:00' },
  { id: 'Alaskan Standard Time', offset: '-09:00' },
  { id: 'Pacific Standard Time (Mexico)', offset: '-08:00' },
  { id: 'Pacific Standard Time', offset: '-08:00' },
  { id: 'US Mountain Standard Time', offset: '-07:00' },
  { id: 'Mountain Standard Time (Mexico)', offset: '-07:00' },
  { id: 'Mountain Standard Time', offset: '-07:00' },
  { id: 'Central America Standard Time', offset: '-06:00' },
  { id: 'Central Standard Time', offset: '-06:00' },
  { id: 'Central Standard Time (Mexico)', offset: '-06:00' },
  { id: 'Canada Central Standard Time', offset: '-06:00' },
  { id: 'SA Pacific Standard Time', offset: '-05:00' },
  { id: 'Eastern Standard Time', offset: '-05:00' },
  { id: 'US Eastern Standard Time', offset: '-05:00' },
  { id: 'Venezuela Standard Time', offset: '-04:00' },
  { id: 'Paraguay Standard Time', offset: '-04:00' },
  { id: 'Atlantic Standard Time', offset: '-04:00' },
  { id: 'Central Brazilian Standard Time', offset: '-04:00' },
  { id: 'SA Western Standard Time', offset: '-04:00' },
  { id: 'Pacific SA Standard Time', offset: '-04:00' },
  { id: 'Newfoundland Standard Time', offset: '-03:30' },
  { id: 'E. South America Standard Time', offset: '-03:00' },
  { id: 'Argentina Standard Time', offset: '-03:00' },
  { id: 'SA Eastern Standard Time', offset: '-03:00' },
  { id: 'Greenland Standard Time', offset: '-03:00' },
  { id: 'Montevideo Standard Time', offset: '-03:00' },
  { id: 'Bahia Standard Time', offset: '-03:00' },
  { id: 'UTC-02', offset: '-02:00' },
  { id: 'Mid-Atlantic Standard Time', offset: '-02:00' },
  { id: 'Azores Standard Time', offset: '-01:00' },
  { id: 'Cape Verde Standard Time', offset: '-01:00' },
  { id: 'Morocco Standard Time', offset: '+00:00' },
  { id: 'UTC', offset: '+00:00' },
  { id: 'GMT Standard Time', offset: '+00:00' },
  { id: 'Greenwich Standard Time', offset: '+00:00' },
  { id: 'W. Europe Standard Time', offset: '+01:00' },
  { id: 'Central Europe Standard Time', offset: '+01:00' },
  { id: 'Romance Standard Time', offset: '+01:00' },
  { id: 'Central European Standard Time', offset: '+01:00' },
  { id: 'W. Central Africa Standard Time', offset: '+01:00' },
  { id: 'Namibia Standard Time', offset: '+02:00' },
  { id: 'Jordan Standard Time', offset: '+02:00' },
  { id: 'GTB Standard Time', offset: '+02:00' },
  { id: 'Middle East Standard Time', offset: '+02:00' },
  { id: 'Egypt Standard Time', offset: '+02:00' },
  { id: 'Syria Standard Time', offset: '+02:00' },
  { id: 'E. Europe Standard Time', offset: '+02:00' },
  { id: 'South Africa Standard Time', offset: '+02:00' },
  { id: 'FLE Standard Time', offset: '+02:00' },
  { id: 'Turkey Standard Time', offset: '+03:00' },
  { id: 'Israel Standard Time', offset: '+02:00' },
  { id: 'Kaliningrad Standard Time', offset: '+02:00' },
  { id: 'Libya Standard Time', offset: '+02:00' },
  { id: 'Arabic Standard Time', offset: '+03:00' },
  { id: 'Arab Standard Time', offset: '+03:00' },
  { id: 'Belarus Standard Time', offset: '+03:00' },
  { id: 'Russian Standard Time', offset: '+03:00' },
  { id: 'E. Africa Standard Time', offset: '+03:00' },
  { id: 'Iran Standard Time', offset: '+03:30' },
  { id: 'Arabian Standard Time', offset: '+04:00' },
  { id: 'Azerbaijan Standard Time', offset: '+04:00' },
  { id: 'Russia Time Zone 3', offset: '+04:00' },
  { id: 'Mauritius Standard Time', offset: '+04:00' },
  { id: 'Georgian Standard Time', offset: '+04:00' },
  { id: 'Caucasus Standard Time', offset: '+04:00' },
  { id: 'Afghanistan Standard Time', offset: '+04:30' },
  { id: 'West Asia Standard Time', offset: '+05:00' },
  { id: 'Ekaterinburg Standard Time', offset: '+05:00' },
  { id: 'Pakistan Standard Time', offset: '+05:00' },
  { id: 'India Standard Time', offset: '+05:30' },
  { id: 'Sri Lanka Standard Time', offset: '+05:30' },
  { id: 'Nepal Standard Time', offset: '+05:45' },
  { id: 'Central Asia Standard Time', offset: '+06:00' },
  { id: 'Bangladesh Standard Time', offset: '+06:00' },
  { id: 'N. Central Asia Standard Time', offset: '+07:00' },
  { id: 'Myanmar Standard Time', offset: '+06:30' },
  { id: 'SE Asia Standard Time', offset: '+07:00' },
  { id: 'North Asia Standard Time', offset: '+07:00' },
  { id: 'China Standard Time', offset: '+08:00' },
  { id: 'North Asia East Standard Time', offset: '+08:00' },
  { id: 'Singapore Standard Time', offset: '+08:00' },
  { id: 'W. Australia Standard Time', offset: '+08:00' },
  { id: 'Taipei Standard Time', offset: '+08:00' },
  { id: 'Ulaanbaatar Standard Time', offset: '+08:00' },
  { id: 'Tokyo Standard Time', offset: '+09:00' },
  { id: 'Korea Standard Time', offset: '+09:00' },
  { id: 'Yakutsk Standard Time', offset: '+09:00' },
  { id: 'Cen. Australia Standard Time', offset: '+09:30' },
  { id: 'AUS Central Standard Time', offset: '+09:30' },
  { id: 'E. Australia Standard Time', offset: '+10:00' },
  { id: 'AUS Eastern Standard Time', offset: '+10:00' },
  { id: 'West Pacific Standard Time', offset: '+10:00' },
  { id: 'Tasmania Standard Time', offset: '+10:00' },
  { id: 'Magadan Standard Time', offset: '+11:00' },
  { id: 'Vladivostok Standard Time', offset: '+10:00' },
  { id: 'Russia Time Zone 10', offset: '+11:00' },
  { id: 'Central Pacific Standard Time', offset: '+11:00' },
  { id: 'Russia Time Zone 11', offset: '+12:00' },
  { id: 'New Zealand Standard Time', offset: '+12:00' },
  { id: 'UTC+12', offset: '+12:00' },
  { id: 'Fiji Standard Time', offset: '+12:00' },
  { id: 'Kamchatka Standard Time', offset: '+12:00' },
  { id: 'Tonga Standard Time', offset: '+13:00' },
  { id: 'Samoa Standard Time', offset: '+13:00' },
  { id: 'Line Islands Standard Time', offset: '+14:00' },
];

const BY_LOWER = new Map(AUTOSCALE_TIME_ZONES.map((z) => [z.id.toLowerCase(), z.id]));

/** The id as Azure spells it, or undefined when Azure would refuse it. */
export function autoscaleTimeZone(name: string): string | undefined {
  return BY_LOWER.get(name.trim().toLowerCase());
}

/** The zones by offset, then name: the order a picker shows them in. */
export function sortedAutoscaleTimeZones(): AutoscaleTimeZone[] {
  const minutes = (offset: string) => {
    const sign = offset.startsWith('-') ? -1 : 1;
    const [h, m] = offset.slice(1).split(':').map(Number);
    return sign * (h * 60 + m);
  };
  return [...AUTOSCALE_TIME_ZONES].sort(
    (a, b) => minutes(a.offset) - minutes(b.offset) || a.id.localeCompare(b.id),
  );
}

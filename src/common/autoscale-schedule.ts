// When an autoscale schedule's end time is refused, said alike by the app's validation and the
// editor's own check as the admin types.

const CLOCK = /^([01]\d|2[0-3]):[0-5]\d$/;

/**
 * What is wrong with a schedule that ends at or before its start, or undefined. A schedule runs
 * from its start to its end on the same day: Azure starts the paired end profile at the end time
 * on the schedule's own days, so "08:00–07:00" would hold the schedule's capacity for 23 hours,
 * and a Friday-night window would last the whole weekend. Hours across midnight are stated as
 * two schedules (or one without an end), never guessed.
 */
export function scheduleEndProblem(start: string, end: string): string | undefined {
  if (!CLOCK.test(start) || !CLOCK.test(end) || end > start) return undefined;
  if (end === start) return `The end must differ from the start (${start})`;
  return `The end (${end}) comes before the start (${start}): a schedule runs from its start to its end on the same day. For hours across midnight, make two schedules (${start}–23:59, and 00:00–${end} on the following days), or untick “Ends at” so it lasts until another schedule starts`;
}

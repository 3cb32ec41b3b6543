// ISO 8601 durations as autoscale stores them (PT10M, PT1H30M, P1D, P1W) and the clock times of
// its schedules (HH:MM): parsing and checking.

const DURATION = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i;

/** Seconds in an ISO 8601 duration without years or months; undefined if it is not one. */
export function durationSeconds(text: string): number | undefined {
  const m = DURATION.exec(text.trim());
  if (!m || text.trim().toUpperCase() === 'P' || /T$/i.test(text.trim())) return undefined;
  const [w, d, h, min, s] = m.slice(1).map((v) => (v === undefined ? 0 : Number(v)));
  if (m.slice(1).every((v) => v === undefined)) return undefined;
  return (((w * 7 + d) * 24 + h) * 60 + min) * 60 + s;
}

/** `PT10M`-style text for a whole number of seconds (as the portal writes them). */
export function isoDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const days = Math.floor(s / 86_400);
  const rest = s % 86_400;
  const h = Math.floor(rest / 3600);
  const m = Math.floor((rest % 3600) / 60);
  const sec = rest % 60;
  let text = 'P';
  if (days) text += `${days}D`;
  if (h || m || sec || !days) {
    text += 'T';
    if (h) text += `${h}H`;
    if (m) text += `${m}M`;
    if (sec || (!h && !m)) text += `${sec}S`;
  }
  return text;
}

const CLOCK = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** Hours and minutes of `HH:MM` on a 24-hour clock; undefined if it is not one. */
export function parseClock(text: string): { hour: number; minute: number } | undefined {
  const m = CLOCK.exec(text);
  return m ? { hour: Number(m[1]), minute: Number(m[2]) } : undefined;
}

export function formatClock(hour: number, minute: number): string {
  return `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`;
}

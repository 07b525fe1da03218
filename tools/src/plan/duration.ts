// Durations as written in values (5s, 1.5s, 500ms) and as Envoy's protobuf JSON wants them (seconds).

/** Milliseconds of a values duration (500ms, 5s, 1.5s), or undefined for any other form; the rules refuse those. */
export function durationMs(text: string): number | undefined {
  const ms = /^([0-9]+)ms$/.exec(text);
  if (ms?.[1]) return Number(ms[1]);
  const s = /^([0-9]+(?:\.[0-9]{1,3})?)s$/.exec(text);
  if (s?.[1]) return Math.round(Number(s[1]) * 1000);
  return undefined;
}

/** Envoy's form: whole seconds as "5s", otherwise three decimals, "0.500s". */
export function envoyDuration(ms: number): string {
  const whole = Math.floor(ms / 1000);
  const frac = ms % 1000;
  return frac === 0 ? `${whole}s` : `${whole}.${String(frac).padStart(3, "0")}s`;
}

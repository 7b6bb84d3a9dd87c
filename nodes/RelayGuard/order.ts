/** A day either side of now: an order value that far off is a counter, not a time. */
const TIME_SLACK_MS = 24 * 60 * 60 * 1000;

/**
 * A message's place in its conversation: a number, a numeric string (a Slack `ts` such as
 * "1712345678.000200", a sequence) or a date (ISO 8601, e.g. Graph's `createdDateTime`).
 * Undefined when it is none of these.
 */
export function orderOf(value: unknown): number | undefined {
	if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
	if (typeof value !== 'string' || value.trim() === '') return undefined;
	const text = value.trim();
	if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
	const time = Date.parse(text);
	return Number.isNaN(time) ? undefined : time;
}

/**
 * When the message was sent, in ms, if its order value is a time (ms, or seconds as in Slack's
 * `ts`): the guard then waits as long as messages currently take to reach it (holdBack.ts).
 */
export function sentAtOf(order: number, now: number): number | undefined {
	for (const candidate of [order, order * 1000]) {
		if (Math.abs(candidate - now) <= TIME_SLACK_MS) return candidate;
	}
	return undefined;
}

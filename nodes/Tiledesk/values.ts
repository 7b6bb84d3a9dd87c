/**
 * Reading values whose JSON someone else controls (a Tiledesk delivery, a relayed event): nothing
 * here throws.
 * `String(value)` would (JSON `{"toString": 1}` has no callable toString), and so would
 * `new Date(1e308).toISOString()`; a value of the wrong kind reads as none instead.
 */

/** Below this a number is Unix seconds (10^11 ms is 1973, 10^11 s the year 5138). */
const SECONDS_BELOW = 1e11;
/** Tiledesk times are milliseconds since 1970; the last one with a plain 4-digit-year ISO form. */
const LATEST_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
/** An ISO date with time zone is under 30 characters: longer text is not a time. */
const MAX_TIME_TEXT = 64;

/** undefined, null and '' stand for "not sent". */
export function isAbsent(value: unknown): boolean {
	return value === undefined || value === null || value === '';
}

function inRange(ms: number): number | null {
	return Number.isFinite(ms) && ms >= 0 && ms <= LATEST_MS ? ms : null;
}

function fromNumber(value: number): number | null {
	return inRange(value < SECONDS_BELOW ? value * 1000 : value);
}

/** Milliseconds of a time given as Unix seconds or ms (number or numeric text) or a date string; null when it is none. */
export function timeMs(value: unknown): number | null {
	if (typeof value === 'number') return fromNumber(value);
	if (typeof value !== 'string' || value.trim() === '' || value.length > MAX_TIME_TEXT) return null;
	const numeric = Number(value);
	return Number.isFinite(numeric) ? fromNumber(numeric) : inRange(Date.parse(value));
}

/** The time in ISO 8601, or null when the value is not a time. */
export function isoTime(value: unknown): string | null {
	const ms = timeMs(value);
	return ms === null ? null : new Date(ms).toISOString();
}

/** An id: a non-empty string, or a finite number (ids of some fields are numeric); else null. */
export function idOf(value: unknown): string | null {
	if (typeof value === 'string') return value === '' ? null : value;
	if (typeof value === 'number' && Number.isFinite(value)) return String(value);
	return null;
}

/** A status code such as 100 or 1000; null for anything else (JSON's 1e999 is Infinity). */
export function integerOf(value: unknown): number | null {
	return typeof value === 'number' && Number.isSafeInteger(value) ? value : null;
}

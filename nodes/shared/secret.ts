import { createHash, randomBytes, timingSafeEqual } from 'crypto';

/** A fresh webhook secret: 32 random bytes, hex encoded (64 characters). */
export function generateSecret(bytes = 32): string {
	return randomBytes(bytes).toString('hex');
}

/**
 * Compares a received secret with the expected one in constant time. Both sides are hashed
 * first so neither the content nor the length of the secret leaks through timing.
 */
export function secretsMatch(expected: unknown, received: unknown): boolean {
	if (typeof expected !== 'string' || expected === '') return false;
	if (typeof received !== 'string' || received === '') return false;
	const a = createHash('sha256').update(expected).digest();
	const b = createHash('sha256').update(received).digest();
	return timingSafeEqual(a, b);
}

/** Reads `Authorization: <scheme> <value>` and returns the value when the scheme matches. */
export function credentialFromAuthorization(header: unknown, scheme: string): string | undefined {
	if (typeof header !== 'string') return undefined;
	const [given, ...rest] = header.trim().split(/\s+/);
	if (!given || given.toLowerCase() !== scheme.toLowerCase() || rest.length !== 1) return undefined;
	return rest[0];
}

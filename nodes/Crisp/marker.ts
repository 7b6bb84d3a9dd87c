import { createHash, randomInt } from 'crypto';

/**
 * How the Crisp Trigger recognises what this package wrote (its echo). Crisp fires the same web
 * hooks for REST writes as for the app's (UNCONFIRMED, docs/platforms/crisp.md: `from: "user"` →
 * message:send, `"operator"` → message:received). Everything about the marker is in this file.
 *
 * 1. The message's `origin`: our URN. UNCONFIRMED: that Crisp keeps an origin URN of our choosing
 *    and delivers it back (node-crisp-api's README sends `urn:crisp.im:slack:0`).
 * 2. The message's `fingerprint`, which we choose. UNCONFIRMED: that Crisp keeps a fingerprint
 *    the sender chose (`fingerprint?` in ConversationMessageNewBase; the answer's body is not
 *    documented), nor whether it refuses one already used (docs/platforms/crisp.md: the simulator
 *    answers 409, which Send reads as "already there" for a relayed event's fingerprint). This
 *    process remembers the ones it sent: they catch echoes whatever happens to the origin, but only
 *    in this process.
 */
export const ORIGIN_URN = 'urn:n8n-handoff:relay:0';

export function carriesMarker(origin: unknown): boolean {
	return origin === ORIGIN_URN;
}

/** Crisp's fingerprints are integers; ours stay below 2^53 so JSON keeps them exact. */
const FINGERPRINT_RANGE = 2 ** 48;

/**
 * The fingerprint of a message relayed from a trigger event: the same for every retry of that
 * event in that conversation, so a repeat is found in the conversation (message/send.ts,
 * `alreadySent`). Any other message gets a random one.
 */
export function fingerprintFor(websiteId: string, sessionId: string, sourceKey?: string): number {
	if (!sourceKey) return randomInt(1, FINGERPRINT_RANGE);
	const digest = createHash('sha256').update(`${websiteId}\n${sessionId}\n${sourceKey}`).digest();
	return (digest.readUIntBE(0, 6) % (FINGERPRINT_RANGE - 1)) + 1;
}

const MAX_REMEMBERED = 10_000;
const ownMessages = new Set<string>();

function rememberedKey(websiteId: string, fingerprint: string): string {
	return `${websiteId} ${fingerprint}`;
}

/** A message this process sent (the oldest are forgotten past 10,000). */
export function rememberOwnMessage(websiteId: string, fingerprint: number | string): void {
	const key = rememberedKey(websiteId, String(fingerprint));
	ownMessages.delete(key);
	ownMessages.add(key);
	if (ownMessages.size > MAX_REMEMBERED) ownMessages.delete(ownMessages.values().next().value as string);
}

export function isRememberedOwnMessage(websiteId: string, fingerprint: string | null): boolean {
	return fingerprint !== null && ownMessages.has(rememberedKey(websiteId, fingerprint));
}

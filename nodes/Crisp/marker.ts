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

/**
 * The field of the conversation's `meta.data` that holds the last message the Crisp Trigger relayed
 * there (its catch-up mark, trigger/catchUp.ts): `"<timestamp> <fingerprint> …"`, the message's
 * timestamp (ms) and the fingerprints relayed at exactly that millisecond, since Crisp's timestamps
 * can tie and only the fingerprint tells tied messages apart. '' when nothing was relayed yet
 * (Conversation → Get or Create opens conversations with it). UNCONFIRMED: what keys and values
 * Crisp keeps in `data` (a string of digits and spaces under a snake_case key is the safest guess).
 */
export const RELAYED_FIELD = 'n8n_handoff_relayed';

export interface RelayMark {
	/** ms; -1 for "nothing relayed yet". */
	timestamp: number;
	fingerprints: string[];
}

/** Fingerprints kept for one millisecond: more ties than this in one ms would repeat the oldest on a read-back. */
const MAX_TIED = 10;

export const NOTHING_RELAYED: RelayMark = { timestamp: -1, fingerprints: [] };

/** The mark in `data`: null when there is none (a conversation this package neither opened nor relayed) or it is unreadable. */
export function readRelayMark(value: unknown): RelayMark | null {
	if (value === '') return NOTHING_RELAYED;
	if (typeof value !== 'string') return null;
	const [timestamp, ...fingerprints] = value.trim().split(/\s+/);
	if (!/^\d{1,15}$/.test(timestamp ?? '') || fingerprints.length === 0 || !fingerprints.every((fingerprint) => /^\d{1,20}$/.test(fingerprint))) return null;
	return { timestamp: Number(timestamp), fingerprints };
}

export function formatRelayMark(mark: RelayMark): string {
	return mark.timestamp < 0 ? '' : [String(mark.timestamp), ...mark.fingerprints.slice(-MAX_TIED)].join(' ');
}

/** Whether a message (its timestamp and fingerprint) comes after the mark, i.e. was not relayed. */
export function isAfterMark(mark: RelayMark, timestamp: number, fingerprint: string): boolean {
	return timestamp > mark.timestamp || (timestamp === mark.timestamp && !mark.fingerprints.includes(fingerprint));
}

/**
 * The mark once these messages (all at `timestamp`, the latest of a relay) are relayed too; null
 * when it stays as it is. It never moves back: a straggler relayed late is older than the mark, and
 * moving back would make a read-back repeat what came after it.
 */
export function advanceRelayMark(current: RelayMark | null, timestamp: number, fingerprints: string[]): RelayMark | null {
	if (current !== null && timestamp < current.timestamp) return null;
	const tied = current !== null && timestamp === current.timestamp ? current.fingerprints : [];
	const added = fingerprints.filter((fingerprint) => !tied.includes(fingerprint));
	if (current !== null && timestamp === current.timestamp && added.length === 0) return null;
	return { timestamp, fingerprints: [...tied, ...added].slice(-MAX_TIED) };
}

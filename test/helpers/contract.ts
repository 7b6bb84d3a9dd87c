/**
 * The event contract every trigger is held to (nodes/shared/event.ts, README "The event every
 * trigger emits"). Trigger tests run each emitted item through `expectHandoffEvent`, so a trigger
 * that drifts from the contract fails its own tests.
 */
import type { IDataObject } from 'n8n-workflow';

import { HANDOFF_EVENT_NAMES, HANDOFF_PLATFORMS } from '../../nodes/shared/event';

const ROLES = ['customer', 'agent', 'bot', 'system'];
const MESSAGE_TYPES = ['text', 'image', 'file', 'location', 'other'];
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

const isNullOrId = (value: unknown) => value === null || (typeof value === 'string' && value !== '');
const isNullOrString = (value: unknown) => value === null || typeof value === 'string';

/** What is wrong with an item as an event of the contract; empty when nothing is. */
export function contractProblems(item: IDataObject): string[] {
	const problems: string[] = [];
	const check = (ok: boolean, what: string) => {
		if (!ok) problems.push(what);
	};
	check(HANDOFF_EVENT_NAMES.includes(item.event as never), `event ${JSON.stringify(item.event)} is not in the vocabulary`);
	check(HANDOFF_PLATFORMS.includes(item.platform as never), `platform ${JSON.stringify(item.platform)} is unknown`);
	check(isNullOrId(item.conversationId), `conversationId ${JSON.stringify(item.conversationId)} is neither an id nor null`);
	check(isNullOrId(item.customerId), `customerId ${JSON.stringify(item.customerId)} is neither an id nor null`);
	const author = item.author as IDataObject | undefined;
	check(!!author && typeof author === 'object', 'author is missing');
	if (author && typeof author === 'object') {
		check(ROLES.includes(author.role as string), `author.role ${JSON.stringify(author.role)} is unknown`);
		check(isNullOrId(author.id), `author.id ${JSON.stringify(author.id)} is neither an id nor null`);
		check(isNullOrString(author.name) && author.name !== '', `author.name ${JSON.stringify(author.name)} is neither a name nor null`);
	}
	const message = item.message as IDataObject | null | undefined;
	check(message !== undefined, 'message is missing (null when the event has none)');
	if (item.event === 'message') check(!!message, 'a message event has no message');
	if (message) {
		check(MESSAGE_TYPES.includes(message.type as string), `message.type ${JSON.stringify(message.type)} is unknown`);
		check(typeof message.text === 'string' && message.text.trim() !== '', `message.text ${JSON.stringify(message.text)} is not readable`);
		check(message.url === undefined || typeof message.url === 'string', 'message.url is not a string');
		check(message.fileName === undefined || typeof message.fileName === 'string', 'message.fileName is not a string');
		check(message.name === undefined, 'a file name is message.fileName, not message.name');
	}
	check(typeof item.timestamp === 'string' && ISO.test(item.timestamp), `timestamp ${JSON.stringify(item.timestamp)} is not ISO 8601`);
	check(!!item.raw && typeof item.raw === 'object', 'raw is missing');
	return problems;
}

export function expectHandoffEvent(item: IDataObject): void {
	const problems = contractProblems(item);
	if (problems.length > 0) {
		throw new Error(`the item breaks the event contract:\n- ${problems.join('\n- ')}\n${JSON.stringify(item).slice(0, 600)}`);
	}
}

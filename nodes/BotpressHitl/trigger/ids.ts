import { generateSecret, requestIdFromExternalId } from '../../shared';

/**
 * IDs the trigger answers to Botpress by default. Only A-Z, a-z, 0-9 and "-", so every helpdesk
 * node of this package takes them unchanged (a Tiledesk external ID, a LiveChat chat property…).
 *
 * - user: `bpu-` + 16 random hex digits;
 * - conversation: `bp-` + 24 random hex digits: a fresh one per handoff, so a user who asks for a
 *   human again gets a new ticket; or, with a Tiledesk project ID, the Tiledesk request ID built
 *   from it (`support-group-{project}-bp-…`, Tiledesk's deterministic ID), so Tiledesk Trigger
 *   events carry the very ID Botpress knows and the relay needs no lookup.
 */
export function generateUserId(): string {
	return `bpu-${generateSecret(8)}`;
}

export function generateConversationId(tiledeskProjectId?: string): string {
	const id = `bp-${generateSecret(12)}`;
	const project = (tiledeskProjectId ?? '').trim();
	return project ? requestIdFromExternalId(project, id) : id;
}

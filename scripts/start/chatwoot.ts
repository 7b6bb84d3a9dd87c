/**
 * Landbot ↔ Chatwoot (templates 30–32) for the playground: the templates, their placeholders, the
 * credential they reference, and a Chatwoot account seeded as README's set-up asks (the same as
 * test/e2e/landbot-chatwoot.e2e.test.ts seeds): an API inbox with no agent bot, a team of two
 * agents, an administrator whose access token the credential holds (template 32's trigger
 * registers the account webhook with it when published).
 */
import { ChatwootSimulator } from '../../test/fakes/chatwoot';
import type { ChatwootSeed } from '../../test/fakes/chatwoot';

export const CHATWOOT_TEMPLATE_FILES = {
	/** Landbot's Webhook block → contact, conversation with the bot history as a private note → the team → field, assign, greeting. */
	handoffStart: '30-landbot-chatwoot-handoff-start.json',
	/** Landbot customer messages in a handoff → the conversation, as the contact. */
	landbotToChatwoot: '31-landbot-to-chatwoot.json',
	/** Chatwoot Trigger (account webhook): agent messages → the customer; pending or resolved → back to the bot. */
	chatwootToLandbot: '32-chatwoot-to-landbot.json',
} as const;

export const CHATWOOT_PLACEHOLDERS = { inboxId: 'YOUR_CHATWOOT_INBOX_ID', teamId: 'YOUR_CHATWOOT_TEAM_ID' } as const;

/** The credential the templates reference (fixed ID and name, as templates.ts does for the others). */
export const CHATWOOT_CREDENTIAL = { id: 'chatwoot-credential', name: 'Chatwoot account', type: 'chatwootApi' } as const;

export interface ChatwootSide {
	chatwoot: ChatwootSimulator;
	seed: ChatwootSeed;
}

/** A Chatwoot of the version the templates need (v4.11.2 on signs account webhooks), with one account seeded. */
export async function startChatwoot(opts: { port?: number; timeScale?: number } = {}): Promise<ChatwootSide> {
	const chatwoot = await new ChatwootSimulator({ version: '4.13.0', port: opts.port ?? 0, timeScale: opts.timeScale ?? 1 }).start();
	return { chatwoot, seed: chatwoot.seedAccount({ name: 'Acme Support' }) };
}

/** As a user fills it in: the instance, the account, an administrator's access token. */
export function chatwootCredential({ chatwoot, seed }: ChatwootSide) {
	return { ...CHATWOOT_CREDENTIAL, data: { baseUrl: chatwoot.baseUrl, accountId: String(seed.accountId), apiAccessToken: seed.userToken } };
}

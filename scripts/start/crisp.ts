/**
 * Landbot ↔ Crisp (templates 33–35) for the playground: the templates, the credential they
 * reference, and a Crisp website seeded as README's set-up asks (the same as
 * test/e2e/landbot-crisp.e2e.test.ts seeds): two operators, an inbox, a Marketplace plugin installed
 * on the website, its token and its Web Hooks secret. Crisp has no API to register a hook: the
 * playground sets the published trigger's Production URL as the plugin's hook (`pasteHookUrl`), as
 * a user pastes it into the Marketplace.
 */
import { CrispSimulator } from '../../test/fakes/crisp';
import type { CrispSeed } from '../../test/fakes/crisp';

export const CRISP_TEMPLATE_FILES = {
	/** Landbot's Webhook block → the conversation of landbot-<id>, the bot history as a note, unresolved → field, assign, greeting. */
	handoffStart: '33-landbot-crisp-handoff-start.json',
	/** Landbot customer messages in a handoff → the conversation, as the visitor. */
	landbotToCrisp: '34-landbot-to-crisp.json',
	/** Crisp Trigger (plugin hooks): operator messages → the customer; resolved → back to the bot. */
	crispToLandbot: '35-crisp-to-landbot.json',
} as const;

/** The credential the templates reference (fixed ID and name, as templates.ts does for the others). */
export const CRISP_CREDENTIAL = { id: 'crisp-credential', name: 'Crisp account', type: 'crispApi' } as const;

/** The plugin hook's events, as the sticky note of template 35 says to tick them. */
export const CRISP_HOOK_EVENTS = ['message:send', 'message:received', 'session:set_state'];

export interface CrispSide {
	crisp: CrispSimulator;
	seed: CrispSeed;
}

export async function startCrisp(opts: { port?: number; timeScale?: number } = {}): Promise<CrispSide> {
	const crisp = await new CrispSimulator({ port: opts.port ?? 0, timeScale: opts.timeScale ?? 1 }).start();
	return { crisp, seed: crisp.seedWebsite({ name: 'Acme Support' }) };
}

/** As a user fills it in: tier Plugin, the plugin token, the website, the plugin's Web Hooks secret. */
export function crispCredential({ crisp, seed }: CrispSide) {
	return {
		...CRISP_CREDENTIAL,
		data: {
			tier: 'plugin',
			identifier: seed.pluginToken.identifier,
			tokenKey: seed.pluginToken.key,
			websiteId: seed.websiteId,
			hookSecret: seed.pluginSecret,
			apiUrl: crisp.baseUrl,
		},
	};
}

/** Marketplace → the plugin → Settings → Web Hooks: the URL and the events. */
export function pasteHookUrl({ crisp, seed }: CrispSide, url: string): void {
	crisp.setPluginHook(seed.pluginId, url, CRISP_HOOK_EVENTS);
}
